/**
 * What both SMS transports (Twilio-compatible HTTP and SMPP) do around each submission: skip
 * numbers that opted out, work through the rest a few at a time, and find the number or sender id
 * each message goes out from.
 */
import type { DeliveryOutcome, OutboundMessage, SmsContent } from "../../messages/model.js";
import type { Services } from "../../services.js";
import { refuseOptedOut } from "./opt-out-check.js";

/** Submits each message that may be sent, `concurrency` at a time; answers one outcome per message, in order. */
export async function sendEach(
  services: Services,
  appId: string,
  messages: OutboundMessage[],
  concurrency: number,
  submit: (message: OutboundMessage, content: SmsContent, from: string) => Promise<DeliveryOutcome>,
  defaultFrom: string | undefined,
): Promise<DeliveryOutcome[]> {
  const { outcomes, sendable } = await refuseOptedOut(services, appId, messages);
  let next = 0;
  const worker = async () => {
    while (next < sendable.length) {
      const index = sendable[next++];
      const message = messages[index];
      const { content } = message;
      const from = content.kind === "sms" ? (content.originationNumber ?? content.senderId ?? defaultFrom) : undefined;
      outcomes[index] =
        content.kind !== "sms"
          ? { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: "Not an SMS" }
          : from === undefined
            ? {
                status: "PERMANENT_FAILURE",
                statusCode: 400,
                statusMessage: "The message has no OriginationNumber or SenderId, and the SMS channel has none",
              }
            : await submit(message, content, from);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, sendable.length) }, worker));
  return outcomes;
}
