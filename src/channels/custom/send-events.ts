/**
 * Keeps what the function answered for each endpoint on that endpoint's custom channel send event,
 * where journey splits read it. The event is written under the id the pipeline gives the same
 * event (`<message id>:_custom.send`), just before the pipeline records the outcome: the events
 * table keeps this row (its later insert of the same id changes nothing), and the event stream
 * gets the pipeline's one record, so nothing is counted twice.
 */
import type { Kysely } from "kysely";
import { insertEvents } from "../../events/queries.js";
import type { OutboundMessage } from "../../messages/model.js";
import { originAttributes, sendEventType } from "../../messages/system-events.js";
import type { Database } from "../../store/index.js";

const sendEvent = sendEventType("CUSTOM", "SUCCESSFUL") ?? "_custom.send";

/** The event id of a message's send event, as the pipeline records it. */
export function sendEventId(messageId: string): string {
  return `${messageId}:${sendEvent}`;
}

/**
 * Records the send events of messages the function accepted, each with the EventAttributes the
 * function returned for its endpoint (Waymark's own attributes win a clash of names).
 */
export async function recordCustomSends(
  db: Kysely<Database>,
  accepted: Array<{ message: OutboundMessage; eventAttributes: Record<string, string> }>,
  now = Date.now(),
): Promise<void> {
  const byApp = new Map<string, typeof accepted>();
  for (const entry of accepted) byApp.set(entry.message.appId, [...(byApp.get(entry.message.appId) ?? []), entry]);
  for (const [appId, entries] of byApp) {
    await insertEvents(
      db,
      appId,
      entries.map(({ message, eventAttributes }) => ({
        endpointId: message.endpointId ?? message.address,
        eventId: sendEventId(message.id),
        event: {
          EventType: sendEvent,
          Timestamp: new Date(now).toISOString(),
          Attributes: {
            ...eventAttributes,
            message_id: message.id,
            ...originAttributes(message.origin),
            destination: message.address,
            delivery_status: "SUCCESSFUL",
          },
        },
      })),
      now,
    );
  }
}

/** Which of these messages the function is known to have accepted: those with a recorded send event. */
export async function recordedSends(db: Kysely<Database>, messages: OutboundMessage[]): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const byId = new Map(messages.map((m) => [sendEventId(m.id), m.id]));
  const rows = await db
    .selectFrom("events")
    .select("event_id")
    .where("app_id", "in", [...new Set(messages.map((m) => m.appId))])
    .where("endpoint_id", "in", [...new Set(messages.map((m) => m.endpointId ?? m.address))])
    .where("event_id", "in", [...byId.keys()])
    .execute();
  return new Set(rows.map((row) => byId.get(row.event_id) ?? ""));
}
