/**
 * The ContactCenter activity: until Waymark has a conversations queue, handing a participant to
 * the contact center is recording the hand-off as the endpoint's `_journey.contact_center` event
 * (segments, splits and the event stream see it) and counting HANDED_OFF.
 */
import { originAttributes } from "../../messages/system-events.js";
import type { Batch } from "./batch.js";
import type { Moving } from "./moving.js";

/** @example const arrived = attendContactCenter(batch, atHandOff); */
export function attendContactCenter(batch: Batch, participants: Moving[]): Moving[] {
  const arrived: Moving[] = [];
  for (const m of participants) {
    const { appId, endpointId, journeyId, runId } = m.participant;
    batch.events.push({
      appId,
      endpointId,
      // The send key stands in for a message id: the event is recorded once per participant and step.
      messageId: m.sendKey(),
      eventType: "_journey.contact_center",
      timestampMs: batch.now,
      attributes: originAttributes({ journeyId, journeyActivityId: m.activityId, journeyRunId: runId }),
    });
    m.count(batch, m.activityId, "HANDED_OFF");
    if (m.moveOn(batch, m.activity()?.ContactCenter?.NextActivity)) arrived.push(m);
  }
  return arrived;
}
