/**
 * What Twilio's webhooks say, in Waymark's terms: a status callback is a delivery receipt, an
 * incoming-message webhook is an inbound SMS. Both arrive as form posts signed with the auth token
 * (checked by the route, see track/sms-webhooks.ts). Pure: no I/O.
 */
import type { InboundSms } from "./inbound.js";
import type { DeliveryReceipt, RecordStatus } from "./receipts.js";

export const twilioStatusPath = "/webhooks/sms/twilio/status";
export const twilioInboundPath = "/webhooks/sms/twilio/inbound";

/**
 * Where Twilio reports a message's delivery: the status path, naming Waymark's message so the
 * receipt needs no lookup by Twilio's id (the signature covers the query, so it cannot be forged).
 * @example twilioStatusCallbackUrl("https://waymark.example.com", "m-1") // ".../webhooks/sms/twilio/status?message=m-1"
 */
export function twilioStatusCallbackUrl(publicUrl: string, messageId: string): string {
  return `${publicUrl.replace(/\/+$/, "")}${twilioStatusPath}?message=${encodeURIComponent(messageId)}`;
}

/** Twilio's delivery error codes, as Pinpoint's record_status. */
const recordStatusByErrorCode: Record<string, RecordStatus> = {
  "30003": "UNREACHABLE", // Unreachable destination handset
  "30004": "BLOCKED", // Message blocked
  "30005": "INVALID", // Unknown destination handset
  "30006": "CARRIER_UNREACHABLE", // Landline or unreachable carrier
  "30007": "SPAM", // Message filtered by the carrier
  "30008": "UNKNOWN", // Unknown error
};

/**
 * The receipt a status callback carries, or undefined for a status on the way (queued, sent...):
 * only `delivered`, `undelivered` and `failed` are final.
 * @example twilioReceipt(new URLSearchParams("MessageSid=SM1&MessageStatus=delivered"), "m-1")
 */
export function twilioReceipt(form: URLSearchParams, messageId: string | undefined): DeliveryReceipt | undefined {
  const providerMessageId = form.get("MessageSid") ?? form.get("SmsSid");
  const status = form.get("MessageStatus") ?? form.get("SmsStatus");
  if (!providerMessageId) return undefined;
  if (status === "delivered") return { messageId, providerMessageId, recordStatus: "DELIVERED" };
  if (status !== "undelivered" && status !== "failed") return undefined;
  const errorCode = form.get("ErrorCode") ?? "";
  return {
    messageId,
    providerMessageId,
    recordStatus: recordStatusByErrorCode[errorCode] ?? "UNKNOWN",
    statusMessage: errorCode ? `Twilio error ${errorCode}` : `Twilio status ${status}`,
  };
}

/**
 * The inbound SMS an incoming-message webhook carries, or undefined when the form lacks its
 * From, To or MessageSid.
 */
export function twilioInboundSms(form: URLSearchParams, appId: string | undefined): InboundSms | undefined {
  const originationNumber = form.get("From");
  const destinationNumber = form.get("To");
  const inboundMessageId = form.get("MessageSid") ?? form.get("SmsSid");
  if (!originationNumber || !destinationNumber || !inboundMessageId) return undefined;
  return { originationNumber, destinationNumber, body: form.get("Body") ?? "", inboundMessageId, appId };
}
