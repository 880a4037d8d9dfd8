/**
 * The events Waymark records about its own messages, with Pinpoint's names, so segments, journeys
 * and event stream consumers see what they saw in Pinpoint: `_email.send`, `_SMS.BUFFERED`,
 * `_push.send`... Later outcomes (delivered, opened, bounced) are recorded by the parts that hear
 * of them, through `recordSystemEvents` too.
 */
import type { Kysely } from "kysely";
import { insertEvents } from "../events/queries.js";
import { groupBy } from "../group-by.js";
import { enterEventJourneys } from "../journeys/triggers/index.js";
import type { Services } from "../services.js";
import type { Database } from "../store/index.js";
import { appendToStream } from "../stream/index.js";
import type { DeliveryChannel, DeliveryStatus, MessageOrigin } from "./model.js";

export interface SystemEvent {
  appId: string;
  /** The endpoint the event belongs to; the address stands in when the send named none. */
  endpointId: string;
  messageId: string;
  eventType: string;
  timestampMs: number;
  attributes: Record<string, string>;
  metrics?: Record<string, number>;
}

const sendEventByChannel: Record<DeliveryChannel, { success: string; failure: string }> = {
  EMAIL: { success: "_email.send", failure: "_email.rejected" },
  SMS: { success: "_SMS.BUFFERED", failure: "_SMS.FAILURE" },
  VOICE: { success: "_voice.send", failure: "_voice.failure" },
  GCM: { success: "_push.send", failure: "_push.failure" },
  APNS: { success: "_push.send", failure: "_push.failure" },
  APNS_SANDBOX: { success: "_push.send", failure: "_push.failure" },
  APNS_VOIP: { success: "_push.send", failure: "_push.failure" },
  APNS_VOIP_SANDBOX: { success: "_push.send", failure: "_push.failure" },
  BAIDU: { success: "_push.send", failure: "_push.failure" },
  ADM: { success: "_push.send", failure: "_push.failure" },
  CUSTOM: { success: "_custom.send", failure: "_custom.failure" },
};

/** The event a final delivery status is recorded as, or none (a duplicate sends nothing and says nothing). */
export function sendEventType(channel: DeliveryChannel, status: DeliveryStatus): string | undefined {
  if (status === "DUPLICATE") return undefined;
  if (status === "OPT_OUT") return channel === "SMS" ? "_SMS.OPTOUT" : undefined;
  return status === "SUCCESSFUL" ? sendEventByChannel[channel].success : sendEventByChannel[channel].failure;
}

/** The attributes Pinpoint puts on message events, from where the message came from. */
export function originAttributes(origin: MessageOrigin): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (origin.campaignId) attributes.campaign_id = origin.campaignId;
  if (origin.treatmentId) attributes.treatment_id = origin.treatmentId;
  if (origin.journeyId) attributes.journey_id = origin.journeyId;
  if (origin.journeyActivityId) attributes.journey_activity_id = origin.journeyActivityId;
  if (origin.journeyRunId) attributes.journey_run_id = origin.journeyRunId;
  return attributes;
}

/**
 * Records system events and queues them for the event stream, in the caller's transaction.
 * Answers how many stream records were queued (the caller wakes the stream after commit).
 * Events that start a journey (EventFilter FilterType SYSTEM) enter it here; the journey engine
 * takes those entries up at its next poll.
 */
export async function recordSystemEvents(
  db: Kysely<Database>,
  services: Services,
  events: SystemEvent[],
  arrivalMs = Date.now(),
): Promise<number> {
  if (events.length === 0) return 0;
  let streamed = 0;
  for (const [appId, appEvents] of groupBy(events, (event) => event.appId)) {
    const recorded = appEvents.map((e) => ({
      endpointId: e.endpointId,
      eventId: `${e.messageId}:${e.eventType}`,
      event: {
        EventType: e.eventType,
        Timestamp: new Date(e.timestampMs).toISOString(),
        Attributes: { message_id: e.messageId, ...e.attributes },
        Metrics: e.metrics,
      },
    }));
    await insertEvents(db, appId, recorded, arrivalMs);
    await enterEventJourneys(db, services, appId, recorded, "SYSTEM");
    streamed += await appendToStream(
      db,
      appId,
      appEvents.map((e) => ({
        event_type: e.eventType,
        event_timestamp: e.timestampMs,
        arrival_timestamp: arrivalMs,
        event_version: "3.1",
        application: { app_id: appId, sdk: {} },
        client: { client_id: e.endpointId },
        device: { platform: {} },
        session: {},
        attributes: { message_id: e.messageId, ...e.attributes },
        metrics: e.metrics ?? {},
        awsAccountId: services.config.accountId,
      })),
      arrivalMs,
    );
  }
  return streamed;
}
