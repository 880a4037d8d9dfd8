import type { Kysely } from "kysely";

/**
 * One-time passwords (SendOTPMessage / VerifyOTPMessage): one live code per application,
 * destination and reference id, kept only as a salted hash, with its expiry and attempts left.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("otp_codes")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("destination_identity", "text", (c) => c.notNull())
    .addColumn("reference_id", "text", (c) => c.notNull())
    .addColumn("code_salt", "text", (c) => c.notNull())
    .addColumn("code_hash", "text", (c) => c.notNull())
    .addColumn("expires_ms", "bigint", (c) => c.notNull())
    .addColumn("attempts_left", "integer", (c) => c.notNull())
    .addColumn("used", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("message_id", "text", (c) => c.notNull())
    .addColumn("created_ms", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("otp_codes_pk", ["app_id", "destination_identity", "reference_id"])
    .execute();
  // Expired codes are cleared per application when the next one is sent.
  await db.schema.createIndex("otp_codes_expiry").on("otp_codes").columns(["app_id", "expires_ms"]).execute();
}
