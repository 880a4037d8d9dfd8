import type { Kysely } from "kysely";
import type { StoreDialect } from "../dialect.js";

/** The message outbox, the sandbox's delivered messages, per-sender rate buckets, and settings Waymark keeps itself. */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const json = dialect.jsonType;
  await db.schema
    .createTable("messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("send_key", "text", (c) => c.notNull().unique())
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("endpoint_id", "text")
    .addColumn("sender", "text", (c) => c.notNull())
    .addColumn("content", json, (c) => c.notNull())
    .addColumn("origin", json, (c) => c.notNull())
    .addColumn("context", json, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("status_code", "integer")
    .addColumn("status_message", "text")
    .addColumn("provider_message_id", "text")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("max_attempts", "integer", (c) => c.notNull())
    .addColumn("next_attempt_ms", "bigint")
    .addColumn("created_ms", "bigint", (c) => c.notNull())
    .addColumn("updated_ms", "bigint", (c) => c.notNull())
    .execute();
  // Claims look for QUEUED messages that are due, crash recovery for SENDING ones past their lease.
  await db.schema.createIndex("messages_due").on("messages").columns(["status", "next_attempt_ms"]).execute();
  await db.schema.createIndex("messages_app").on("messages").columns(["app_id", "created_ms"]).execute();

  await db.schema
    .createTable("sandbox_messages")
    .addColumn("seq", dialect.serialType, (c) => dialect.serialPrimaryKey(c))
    .addColumn("message_id", "text", (c) => c.notNull().unique())
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("content", json, (c) => c.notNull())
    .addColumn("created_ms", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sandbox_messages_app").on("sandbox_messages").columns(["app_id", "seq"]).execute();

  await db.schema
    .createTable("sender_rates")
    .addColumn("sender", "text", (c) => c.primaryKey())
    .addColumn("tokens", "double precision", (c) => c.notNull())
    .addColumn("updated_ms", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("waymark_settings")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();
}
