/**
 * The Wait activity (WaitFor a duration from arrival, or WaitUntil a date), and the same reckoning
 * for a split's EvaluationWaitTime.
 */
import type { WaitTime } from "@aws-sdk/client-pinpoint";
import { addDuration } from "../time/duration.js";
import type { MetricSink, Moving } from "./moving.js";

/**
 * When a WaitTime ends for a participant that arrived at `arrivedMs`: WaitUntil's date, or
 * WaitFor after arrival; arrival itself when it gives neither (or a date already past).
 * @example waitEndMs({ WaitFor: "P1D" }, Date.parse("2026-11-23T09:00:00Z")) // Date.parse("2026-11-24T09:00:00Z")
 */
export function waitEndMs(waitTime: WaitTime | undefined, arrivedMs: number): number {
  if (waitTime?.WaitUntil) {
    const until = Date.parse(waitTime.WaitUntil);
    return Number.isNaN(until) ? arrivedMs : Math.max(arrivedMs, until);
  }
  if (waitTime?.WaitFor) return addDuration(arrivedMs, waitTime.WaitFor);
  return arrivedMs;
}

/**
 * Participants at a Wait: those whose wait is over go on (answered, at their next activity), the
 * others sleep until it ends.
 * @example const arrived = attendWait(batch, atWait);
 */
export function attendWait(sink: MetricSink, participants: Moving[]): Moving[] {
  const arrived: Moving[] = [];
  for (const m of participants) {
    const wait = m.activity()?.Wait;
    const endMs = waitEndMs(wait?.WaitTime, m.activityEnteredMs);
    if (endMs > sink.now) m.waitUntil(endMs);
    else if (m.moveOn(sink, wait?.NextActivity)) arrived.push(m);
  }
  return arrived;
}
