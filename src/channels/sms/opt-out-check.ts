/**
 * The last check before an SMS leaves: a number that opted out (a STOP, kept in the opt-out list)
 * is answered OPT_OUT and sent nothing, whichever way the message came (direct send, campaign,
 * journey) and however long it waited in the outbox. Keyword replies are exempt: the confirmation
 * of a STOP goes to the number that has just opted out.
 */
import type { DeliveryOutcome, OutboundMessage } from "../../messages/model.js";
import { optedOutAddresses } from "../../messages/opt-outs.js";
import type { Services } from "../../services.js";
import { isKeywordReply } from "./keywords.js";

export interface OptOutCheck {
  /** One slot per message, in order; filled for the refused ones, the rest for the provider to fill. */
  outcomes: DeliveryOutcome[];
  /** The positions of the messages that may be sent. */
  sendable: number[];
}

/** Sorts a batch (one app's SMS) into refused and sendable messages, with one query per 500 numbers. */
export async function refuseOptedOut(
  services: Services,
  appId: string,
  messages: OutboundMessage[],
): Promise<OptOutCheck> {
  const checked = messages.filter((message) => !isKeywordReply(message.content)).map((message) => message.address);
  const refused = await optedOutAddresses(services.store.db, appId, "SMS", checked);
  const outcomes: DeliveryOutcome[] = new Array(messages.length);
  const sendable: number[] = [];
  for (const [index, message] of messages.entries()) {
    if (refused.has(message.address) && !isKeywordReply(message.content)) {
      outcomes[index] = { status: "OPT_OUT", statusCode: 400, statusMessage: "The number has opted out" };
    } else {
      sendable.push(index);
    }
  }
  return { outcomes, sendable };
}
