import type { Event } from "@aws-sdk/client-pinpoint";
import type { Kysely } from "kysely";
import { type Database, toJson } from "../store/index.js";

export interface AcceptedEvent {
  endpointId: string;
  eventId: string;
  event: Event;
}

/**
 * Records events; one already recorded (same endpoint and event id, a client retrying a batch)
 * is left as it is.
 */
export async function insertEvents(
  db: Kysely<Database>,
  appId: string,
  events: AcceptedEvent[],
  arrivalMs: number,
): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    await db
      .insertInto("events")
      .values(
        events.slice(i, i + 500).map(({ endpointId, eventId, event }) => ({
          app_id: appId,
          endpoint_id: endpointId,
          event_id: eventId,
          event_type: event.EventType ?? "",
          event_timestamp: new Date(event.Timestamp ?? arrivalMs).toISOString(),
          arrival_ms: arrivalMs,
          body: toJson(event),
        })),
      )
      .onConflict((oc) => oc.columns(["app_id", "endpoint_id", "event_id"]).doNothing())
      .execute();
  }
}
