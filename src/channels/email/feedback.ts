/**
 * What comes back after an email was accepted: a delivery, a bounce, a complaint. Whichever way
 * it arrives (a DSN or ARF report mailed to the bounce listener, an SES notification posted to the
 * webhook), it names the original message by its Message-ID; this matches it to the message and
 * records Pinpoint's system event for it.
 *
 * A hard bounce or a complaint retires the address: every EMAIL endpoint of the app with it
 * becomes INACTIVE. That is what Pinpoint does in effect: SES puts hard-bounced and complaining
 * addresses on the account's suppression list (both, by default), and nothing is sent to them
 * again. A complaint does not set OptOut: Pinpoint leaves OptOut to the recipient's own choice
 * (the unsubscribe link), and a suppressed address is reported as a bounce, not as an opt-out.
 */
import type { Kysely } from "kysely";
import type { MessageOrigin } from "../../messages/model.js";
import { originAttributes, recordSystemEvents, type SystemEvent } from "../../messages/system-events.js";
import type { Services } from "../../services.js";
import { type Database, fromJson } from "../../store/index.js";
import { normalizeMessageId, waymarkIdOf } from "./message-id.js";

export type EmailFeedbackKind = "delivered" | "hardbounce" | "softbounce" | "complaint";

export interface EmailFeedback {
  kind: EmailFeedbackKind;
  /** Message-IDs the report names for the original message (the first that matches wins). */
  messageIds: string[];
  /** When it happened, if the report says; otherwise when it arrived. */
  timestampMs?: number;
  /** What the report says about it, under Pinpoint's facet names (bounce_type, diagnostic_code...). */
  attributes: Record<string, string>;
}

const eventTypes: Record<EmailFeedbackKind, { eventType: string; feedback: string }> = {
  delivered: { eventType: "_email.delivered", feedback: "delivered" },
  hardbounce: { eventType: "_email.hardbounce", feedback: "bounced" },
  softbounce: { eventType: "_email.softbounce", feedback: "bounced" },
  complaint: { eventType: "_email.complaint", feedback: "complained" },
};

interface MatchedMessage {
  id: string;
  app_id: string;
  address: string;
  endpoint_id: string | null;
  origin: unknown;
  provider_message_id: string | null;
}

/**
 * Records each piece of feedback that matches a sent email, once: a report received twice (an SNS
 * retry, a DSN sent again) records nothing the second time. Answers how many events it recorded;
 * feedback about messages Waymark does not know is ignored.
 * @example await recordEmailFeedback(services, [{ kind: "hardbounce", messageIds: ["<waymark-3f2a@example.com>"], attributes: {} }]);
 */
export async function recordEmailFeedback(services: Services, feedback: EmailFeedback[]): Promise<number> {
  if (feedback.length === 0) return 0;
  const now = Date.now();
  const { recorded, streamed } = await services.store.db.transaction().execute(async (trx) => {
    const messages = await findMessages(trx, feedback);
    const events: SystemEvent[] = [];
    const retired: MatchedMessage[] = [];
    for (const item of feedback) {
      const message = item.messageIds.map((id) => messages.get(messageKey(id))).find((m) => m !== undefined);
      if (!message) continue;
      const { eventType, feedback: said } = eventTypes[item.kind];
      const endpointId = message.endpoint_id ?? message.address;
      if (await alreadyRecorded(trx, message.app_id, endpointId, `${message.id}:${eventType}`)) continue;
      if (events.some((e) => e.messageId === message.id && e.eventType === eventType)) continue;
      events.push({
        appId: message.app_id,
        endpointId,
        messageId: message.id,
        eventType,
        timestampMs: item.timestampMs ?? now,
        attributes: {
          ...originAttributes(fromJson<MessageOrigin>(message.origin)),
          feedback: said,
          destination: message.address,
          ...item.attributes,
        },
      });
      if (item.kind === "hardbounce" || item.kind === "complaint") retired.push(message);
    }
    for (const message of retired) await retireAddress(trx, message);
    return { recorded: events.length, streamed: await recordSystemEvents(trx, services, events, now) };
  });
  if (streamed > 0) services.wake.stream();
  return recorded;
}

/** A Message-ID Waymark made is looked up by the message id inside it; any other by provider_message_id. */
function messageKey(messageId: string): string {
  return waymarkIdOf(messageId) ?? normalizeMessageId(messageId);
}

async function findMessages(db: Kysely<Database>, feedback: EmailFeedback[]): Promise<Map<string, MatchedMessage>> {
  const ours = [...new Set(feedback.flatMap((f) => f.messageIds.map(waymarkIdOf)).filter((id) => id !== undefined))];
  // Other Message-IDs are looked up only for feedback naming none of Waymark's: that lookup has no index.
  const theirs = [
    ...new Set(
      feedback
        .filter((f) => !f.messageIds.some((id) => waymarkIdOf(id) !== undefined))
        .flatMap((f) => f.messageIds.map(normalizeMessageId)),
    ),
  ];
  const found = new Map<string, MatchedMessage>();
  const columns = ["id", "app_id", "address", "endpoint_id", "origin", "provider_message_id"] as const;
  if (ours.length > 0) {
    const rows = await db
      .selectFrom("messages")
      .select(columns)
      .where("channel", "=", "EMAIL")
      .where("id", "in", ours)
      .execute();
    for (const row of rows) found.set(row.id, row);
  }
  if (theirs.length > 0) {
    // A raw message that brought its own Message-ID: matched by what the provider was given.
    const rows = await db
      .selectFrom("messages")
      .select(columns)
      .where("channel", "=", "EMAIL")
      .where("provider_message_id", "in", theirs)
      .execute();
    for (const row of rows) if (row.provider_message_id) found.set(row.provider_message_id, row);
  }
  return found;
}

async function alreadyRecorded(
  db: Kysely<Database>,
  appId: string,
  endpointId: string,
  eventId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("events")
    .select("seq")
    .where("app_id", "=", appId)
    .where("endpoint_id", "=", endpointId)
    .where("event_id", "=", eventId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The address is dead or unwilling: its endpoint, and any other EMAIL endpoint of the app with it, goes INACTIVE. */
async function retireAddress(db: Kysely<Database>, message: MatchedMessage): Promise<void> {
  await db
    .updateTable("endpoints")
    .set({ endpoint_status: "INACTIVE" })
    .where("app_id", "=", message.app_id)
    .where((eb) => {
      const sameAddress = eb.and([eb("channel_type", "=", "EMAIL"), eb("address", "=", message.address)]);
      return message.endpoint_id ? eb.or([eb("id", "=", message.endpoint_id), sameAddress]) : sameAddress;
    })
    .execute();
}
