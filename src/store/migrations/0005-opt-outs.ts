import type { Kysely } from "kysely";

/** Opt-outs of bare addresses (no endpoint to set OptOut on): one-click unsubscribes, SMS STOP. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("opt_outs")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("created_ms", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("opt_outs_pk", ["app_id", "channel", "address"])
    .execute();
}
