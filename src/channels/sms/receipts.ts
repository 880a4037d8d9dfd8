/**
 * Delivery receipts: what the carrier finally did with an SMS the provider accepted, heard later
 * (Twilio's status callback, an SMPP deliver_sm receipt) and recorded as Pinpoint's `_SMS.SUCCESS`
 * or `_SMS.FAILURE` on the message's endpoint, with the attributes Pinpoint's SMS events carry.
 */
import type { Selectable } from "kysely";
import type { MessageOrigin, SmsContent } from "../../messages/model.js";
import { originAttributes, recordSystemEvents } from "../../messages/system-events.js";
import type { Services } from "../../services.js";
import { fromJson } from "../../store/index.js";
import type { MessagesTable } from "../../store/schema.js";

/**
 * Pinpoint's `record_status` values: DELIVERED for a success; for a failure UNREACHABLE, BLOCKED,
 * CARRIER_UNREACHABLE, SPAM, INVALID, INVALID_MESSAGE, TTL_EXPIRED or UNKNOWN.
 */
export type RecordStatus =
  | "DELIVERED"
  | "UNREACHABLE"
  | "BLOCKED"
  | "CARRIER_UNREACHABLE"
  | "SPAM"
  | "INVALID"
  | "INVALID_MESSAGE"
  | "TTL_EXPIRED"
  | "UNKNOWN";

export interface DeliveryReceipt {
  /** Waymark's message id, when the provider hands it back (the status callback URL carries it). */
  messageId?: string;
  /** The provider's id for the message, as its send answered it. */
  providerMessageId: string;
  recordStatus: RecordStatus;
  /** The provider's own words for a failure (an error code, an SMPP `err:`). */
  statusMessage?: string;
}

/**
 * Records a receipt; answers false when no SMS has that id (yet: a receipt can overtake the
 * commit of its send's outcome). A receipt heard twice is recorded once.
 */
export async function recordDeliveryReceipt(services: Services, receipt: DeliveryReceipt): Promise<boolean> {
  const { db } = services.store;
  const message = await db
    .selectFrom("messages")
    .selectAll()
    .where("channel", "=", "SMS")
    .$if(receipt.messageId !== undefined, (q) => q.where("id", "=", receipt.messageId ?? ""))
    .$if(receipt.messageId === undefined, (q) => q.where("provider_message_id", "=", receipt.providerMessageId))
    .executeTakeFirst();
  if (!message) return false;
  // The callback URL names the message; the id it reports must be the one its last send answered.
  if (message.provider_message_id && message.provider_message_id !== receipt.providerMessageId) return false;
  const eventType = receipt.recordStatus === "DELIVERED" ? "_SMS.SUCCESS" : "_SMS.FAILURE";
  const endpointId = message.endpoint_id ?? message.address;
  const streamed = await db.transaction().execute(async (trx) => {
    const recorded = await trx
      .selectFrom("events")
      .select("seq")
      .where("app_id", "=", message.app_id)
      .where("endpoint_id", "=", endpointId)
      .where("event_id", "=", `${message.id}:${eventType}`)
      .executeTakeFirst();
    if (recorded) return 0;
    return recordSystemEvents(trx, services, [
      {
        appId: message.app_id,
        endpointId,
        messageId: message.id,
        eventType,
        timestampMs: Date.now(),
        attributes: receiptAttributes(message, receipt),
      },
    ]);
  });
  if (streamed > 0) services.wake.stream();
  return true;
}

function receiptAttributes(message: Selectable<MessagesTable>, receipt: DeliveryReceipt): Record<string, string> {
  const content = fromJson<SmsContent>(message.content);
  const origination = content.originationNumber ?? content.senderId;
  return {
    ...originAttributes(fromJson<MessageOrigin>(message.origin)),
    ...(origination ? { origination_phone_number: origination } : {}),
    destination_phone_number: message.address,
    record_status: receipt.recordStatus,
    message_type: content.messageType === "PROMOTIONAL" ? "Promotional" : "Transactional",
    provider_message_id: receipt.providerMessageId,
    ...(receipt.statusMessage ? { status_message: receipt.statusMessage.slice(0, 200) } : {}),
  };
}
