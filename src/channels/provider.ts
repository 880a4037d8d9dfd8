/**
 * The one shape every sending transport has (SMTP, Twilio-compatible HTTP, SMPP, APNs, FCM, voice,
 * custom webhooks, and the sandbox). The pipeline hands a provider messages for one channel and
 * one application, in batches, and gets one outcome per message back, in order.
 */
import type { Kysely } from "kysely";
import type { DeliveryOutcome, OutboundMessage } from "../messages/model.js";
import type { Database } from "../store/index.js";

export interface ChannelProvider {
  /**
   * Sends a batch. A failure of one message is its outcome, never a throw; a throw means the whole
   * batch could not be attempted (a connection refused, say) and is retried as TEMPORARY_FAILURE.
   */
  send(messages: OutboundMessage[]): Promise<DeliveryOutcome[]>;
  /**
   * For a provider whose deliveries are rows of Waymark's own database (the sandbox): takes the
   * messages, content and all, from their outbox rows, in the caller's transaction. The pipeline
   * takes, sends and records such a batch in one commit, so a crash leaves each message untouched
   * or done. A throw fails the whole transaction.
   */
  sendFromOutbox?(trx: Kysely<Database>, messages: Array<Omit<OutboundMessage, "content">>): Promise<DeliveryOutcome[]>;
  /**
   * Which of these messages the provider already accepted, for providers that know for certain
   * (the sandbox does; SMTP cannot): the others were never sent, and are queued again. Used for
   * messages whose sender died mid-send; a provider that cannot be certain leaves it out.
   */
  accepted?(messages: Array<Omit<OutboundMessage, "content">>): Promise<Set<string>>;
  /** Releases pooled connections; the provider is not used afterwards. */
  close(): Promise<void>;
}

/** A temporary failure every message of a batch shares (the provider is down, say). */
export function temporaryFailure(messages: OutboundMessage[], error: unknown): DeliveryOutcome[] {
  const statusMessage = error instanceof Error ? error.message : String(error);
  return messages.map(() => ({ status: "TEMPORARY_FAILURE", statusCode: 500, statusMessage }));
}
