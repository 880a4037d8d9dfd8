/**
 * Two-way SMS: a message someone sends to one of the app's numbers (a Twilio webhook, an SMPP
 * deliver_sm) becomes Pinpoint's `_SMS.RECEIVED` event on their endpoint, on the event stream for
 * journeys, campaigns and conversations to react to. Keywords are handled as Pinpoint handles
 * them: STOP and its kin opt the number out (every SMS endpoint of the app at that number, and the
 * app's opt-out list) and record `_SMS.OPTOUT`; START opts it in again; HELP gets its reply. Each
 * keyword's reply goes back through the delivery pipeline from the number that was written to.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { newMessageId } from "../../messages/message-id.js";
import { isOptedOut, optIn, optOut } from "../../messages/opt-outs.js";
import { enqueueMessages } from "../../messages/outbox/enqueue.js";
import { recordSystemEvents, type SystemEvent } from "../../messages/system-events.js";
import type { Services } from "../../services.js";
import type { Database } from "../../store/index.js";
import { inboundApp } from "./inbound-app.js";
import {
  defaultKeywordReplies,
  type KeywordAction,
  type KeywordReplyContent,
  keywordAction,
  messageKeyword,
} from "./keywords.js";

export interface InboundSms {
  /** The number the message came from: the customer's. */
  originationNumber: string;
  /** The number it was sent to: the app's short code, long code or sender ID. */
  destinationNumber: string;
  body: string;
  /** The provider's id for it (Twilio's MessageSid), or one Waymark made up when it gave none. */
  inboundMessageId: string;
  /** The application, when the callback names it (a webhook URL's `?app=`). */
  appId?: string;
}

export interface ReceivedSms {
  appId: string;
  endpointId: string;
  keywordAction?: KeywordAction;
}

/** A keyword reply is retried like any queued message, but not for long: it answers a person now. */
const replyAttempts = 5;

/**
 * Records an inbound SMS and acts on its keyword, in one transaction; answers where it went, or
 * undefined when no application has the number or knows the sender (nothing is recorded).
 */
export async function receiveSms(services: Services, sms: InboundSms): Promise<ReceivedSms | undefined> {
  const { db } = services.store;
  const appId = sms.appId ?? (await inboundApp(db, sms.destinationNumber, sms.originationNumber));
  if (!appId || !(await appExists(db, appId))) return undefined;
  const now = Date.now();
  const result = await db.transaction().execute(async (trx) => {
    const endpoints = await smsEndpoints(trx, appId, sms.originationNumber);
    const optedOut =
      endpoints.some((endpoint) => endpoint.opt_out === "ALL") ||
      (await isOptedOut(trx, appId, "SMS", sms.originationNumber));
    const action = keywordAction(sms.body, optedOut);
    const endpointIds = endpoints.length > 0 ? endpoints.map((endpoint) => endpoint.id) : [sms.originationNumber];
    const received = { appId, endpointId: endpointIds[0], keywordAction: action };
    // A provider calling back twice with the same message: it was handled the first time.
    if (await alreadyReceived(trx, appId, endpointIds[0], sms.inboundMessageId)) return { received, streamed: 0 };
    const event = (endpointId: string, eventType: string, attributes: Record<string, string> = {}): SystemEvent => ({
      appId,
      endpointId,
      messageId: sms.inboundMessageId,
      eventType,
      timestampMs: now,
      attributes: {
        origination_phone_number: sms.originationNumber,
        destination_phone_number: sms.destinationNumber,
        ...attributes,
      },
    });
    const events = [
      event(endpointIds[0], "_SMS.RECEIVED", {
        message_body: sms.body,
        message_keyword: messageKeyword(sms.body),
        inbound_message_id: sms.inboundMessageId,
      }),
    ];
    if (action === "OPT_OUT") {
      await setEndpointsOptOut(trx, appId, sms.originationNumber, "ALL");
      await optOut(trx, appId, "SMS", sms.originationNumber, now);
      events.push(...endpointIds.map((endpointId) => event(endpointId, "_SMS.OPTOUT")));
    } else if (action === "OPT_IN") {
      await setEndpointsOptOut(trx, appId, sms.originationNumber, "NONE");
      await optIn(trx, appId, "SMS", sms.originationNumber);
    }
    if (action) {
      const body = services.config.smsKeywordReplies[action] ?? defaultKeywordReplies[action];
      await queueReply(trx, appId, sms, endpoints[0]?.id, action, body, now);
    }
    const streamed = await recordSystemEvents(trx, services, events, now);
    return { received, streamed };
  });
  if (result.streamed > 0) services.wake.stream();
  if (result.received.keywordAction) services.delivery.wake();
  return result.received;
}

/** A made-up id for an inbound message the provider gave none for (SMPP's deliver_sm has none). */
export function newInboundMessageId(): string {
  return randomUUID();
}

async function appExists(db: Kysely<Database>, appId: string): Promise<boolean> {
  return (await db.selectFrom("apps").select("id").where("id", "=", appId).executeTakeFirst()) !== undefined;
}

async function alreadyReceived(
  db: Kysely<Database>,
  appId: string,
  endpointId: string,
  inboundMessageId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("events")
    .select("seq")
    .where("app_id", "=", appId)
    .where("endpoint_id", "=", endpointId)
    .where("event_id", "=", `${inboundMessageId}:_SMS.RECEIVED`)
    .executeTakeFirst();
  return row !== undefined;
}

async function smsEndpoints(db: Kysely<Database>, appId: string, address: string) {
  return db
    .selectFrom("endpoints")
    .select(["id", "opt_out"])
    .where("app_id", "=", appId)
    .where("channel_type", "=", "SMS")
    .where("address", "=", address)
    .orderBy("id")
    .execute();
}

async function setEndpointsOptOut(
  db: Kysely<Database>,
  appId: string,
  address: string,
  optOutValue: "ALL" | "NONE",
): Promise<void> {
  await db
    .updateTable("endpoints")
    .set({ opt_out: optOutValue })
    .where("app_id", "=", appId)
    .where("channel_type", "=", "SMS")
    .where("address", "=", address)
    .execute();
}

async function queueReply(
  db: Kysely<Database>,
  appId: string,
  sms: InboundSms,
  endpointId: string | undefined,
  action: KeywordAction,
  body: string,
  now: number,
): Promise<void> {
  const content: KeywordReplyContent = {
    kind: "sms",
    body,
    messageType: "TRANSACTIONAL",
    originationNumber: sms.destinationNumber,
    keywordReply: action,
  };
  await enqueueMessages(
    db,
    [
      {
        id: newMessageId(),
        sendKey: `sms-keyword:${appId}:${sms.inboundMessageId}`,
        appId,
        channel: "SMS",
        address: sms.originationNumber,
        endpointId,
        content,
        origin: {},
        context: {},
        sender: sms.destinationNumber,
        maxAttempts: replyAttempts,
      },
    ],
    now,
  );
}
