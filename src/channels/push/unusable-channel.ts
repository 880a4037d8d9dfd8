/**
 * A push channel whose stored credentials cannot send (Google's retired legacy server key, a key
 * that does not parse): every message fails permanently with a message telling the operator what
 * to change, rather than silently falling back to the sandbox.
 */
import type { DeliveryOutcome, OutboundMessage } from "../../messages/model.js";
import type { ChannelProvider } from "../provider.js";

export class UnusableChannelProvider implements ChannelProvider {
  constructor(private readonly statusMessage: string) {}

  async send(messages: OutboundMessage[]): Promise<DeliveryOutcome[]> {
    return messages.map(() => ({ status: "PERMANENT_FAILURE", statusCode: 401, statusMessage: this.statusMessage }));
  }

  async close(): Promise<void> {}
}
