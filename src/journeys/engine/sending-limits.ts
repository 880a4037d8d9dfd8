/**
 * A journey's caps on what one participant is sent (Limits.DailyCap, TotalCap, TimeframeCap),
 * checked before each message. Pure: the counters live on the participant row.
 */
import type { JourneyLimits } from "@aws-sdk/client-pinpoint";

const dayMs = 86_400_000;

/** A participant's message counters. */
export interface SendCounters {
  sentTotal: number;
  /** When its current 24-hour window began (the first message of that window). */
  sentDayStartMs: number;
  sentToday: number;
}

/**
 * The 24-hour window a message sent now falls in: the current one while it lasts, else a new one
 * starting now.
 * @example sendingDay({ sentTotal: 3, sentDayStartMs: 0, sentToday: 3 }, Date.now()) // { dayStartMs: now, sentToday: 0 }
 */
export function sendingDay(counters: SendCounters, nowMs: number): { dayStartMs: number; sentToday: number } {
  if (nowMs - counters.sentDayStartMs < dayMs)
    return { dayStartMs: counters.sentDayStartMs, sentToday: counters.sentToday };
  return { dayStartMs: nowMs, sentToday: 0 };
}

/**
 * The cap that forbids one more message now, as the metric that counts the skip, or undefined.
 * `timeframeSent` is how many messages the endpoint got from the journey within TimeframeCap.Days.
 * @example capReached({ TotalCap: 2 }, { sentTotal: 2, sentDayStartMs: 0, sentToday: 0 }, 0, now) // "TOTAL_CAP"
 */
export function capReached(
  limits: JourneyLimits | undefined,
  counters: SendCounters,
  timeframeSent: number,
  nowMs: number,
): "DAILY_CAP" | "TOTAL_CAP" | "TIMEFRAME_CAP" | undefined {
  if (!limits) return undefined;
  if (limits.DailyCap && sendingDay(counters, nowMs).sentToday >= limits.DailyCap) return "DAILY_CAP";
  if (limits.TotalCap && counters.sentTotal >= limits.TotalCap) return "TOTAL_CAP";
  if (limits.TimeframeCap?.Cap && timeframeSent >= limits.TimeframeCap.Cap) return "TIMEFRAME_CAP";
  return undefined;
}

/** The TimeframeCap's window in milliseconds, or undefined when the journey has none. */
export function timeframeMs(limits: JourneyLimits | undefined): number | undefined {
  const cap = limits?.TimeframeCap;
  return cap?.Cap && cap.Days ? cap.Days * dayMs : undefined;
}
