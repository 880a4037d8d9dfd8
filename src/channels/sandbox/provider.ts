/**
 * The sandbox: where messages go when no provider is configured for their channel. Each message
 * lands in the `sandbox_messages` table, which the API (GET /v1/apps/{id}/sandbox/messages) and
 * the CLI (`waymark outbox`) list. Nothing leaves the machine.
 */

import type { Kysely } from "kysely";
import type { DeliveryOutcome, OutboundMessage } from "../../messages/model.js";
import type { Services } from "../../services.js";
import { type Database, toJson } from "../../store/index.js";
import type { ChannelProvider } from "../provider.js";

export class SandboxProvider implements ChannelProvider {
  constructor(private readonly services: Services) {}

  async send(messages: OutboundMessage[]): Promise<DeliveryOutcome[]> {
    const now = Date.now();
    await this.services.store.db
      .insertInto("sandbox_messages")
      .values(
        messages.map((m) => ({
          message_id: m.id,
          app_id: m.appId,
          channel: m.channel,
          address: m.address,
          content: toJson(m.content),
          created_ms: now,
        })),
      )
      .onConflict((oc) => oc.column("message_id").doNothing())
      .execute();
    return messages.map(delivered);
  }

  /** Copied row to row: the outbox row's content is the message as rendered, already JSON. */
  async sendFromOutbox(
    trx: Kysely<Database>,
    messages: Array<Omit<OutboundMessage, "content">>,
  ): Promise<DeliveryOutcome[]> {
    const now = Date.now();
    for (let i = 0; i < messages.length; i += 1000) {
      const ids = messages.slice(i, i + 1000).map((m) => m.id);
      await trx
        .insertInto("sandbox_messages")
        .columns(["message_id", "app_id", "channel", "address", "content", "created_ms"])
        .expression((eb) =>
          eb
            .selectFrom("messages")
            .select(["id", "app_id", "channel", "address", "content", eb.val(now).as("created_ms")])
            .where("id", "in", ids),
        )
        .onConflict((oc) => oc.column("message_id").doNothing())
        .execute();
    }
    return messages.map(delivered);
  }

  /** Which of these messages the sandbox holds: for messages whose sender died mid-send. */
  async accepted(messages: Array<Omit<OutboundMessage, "content">>): Promise<Set<string>> {
    if (messages.length === 0) return new Set();
    const rows = await this.services.store.db
      .selectFrom("sandbox_messages")
      .select("message_id")
      .where(
        "message_id",
        "in",
        messages.map((m) => m.id),
      )
      .execute();
    return new Set(rows.map((row) => row.message_id));
  }

  async close(): Promise<void> {}
}

function delivered(message: { id: string }): DeliveryOutcome {
  return {
    status: "SUCCESSFUL",
    statusCode: 200,
    statusMessage: "Delivered to the sandbox",
    providerMessageId: message.id,
  };
}
