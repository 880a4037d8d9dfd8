import type { Kysely } from "kysely";

/**
 * Delivery receipts name a message by the provider's id only (an SMPP receipt's `id:`, a bounce's
 * Message-ID): finding its message must not read the whole outbox.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("messages_provider_message_id").on("messages").column("provider_message_id").execute();
}
