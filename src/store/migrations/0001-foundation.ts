import type { Kysely } from "kysely";
import type { StoreDialect } from "../dialect.js";

/** Apps, endpoints, events, the event stream outbox, channels, jobs, import/export jobs, imported segments. */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const json = dialect.jsonType;
  await db.schema
    .createTable("apps")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("creation_date", "text", (c) => c.notNull())
    .addColumn("settings", json, (c) => c.notNull())
    .addColumn("tags", json, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("endpoints")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("channel_type", "text")
    .addColumn("address", "text")
    .addColumn("user_id", "text")
    .addColumn("opt_out", "text", (c) => c.notNull())
    .addColumn("endpoint_status", "text", (c) => c.notNull())
    .addColumn("effective_date", "text", (c) => c.notNull())
    .addColumn("creation_date", "text", (c) => c.notNull())
    .addColumn("cohort_id", "text", (c) => c.notNull())
    .addColumn("request_id", "text")
    .addColumn("attributes", json, (c) => c.notNull())
    .addColumn("metrics", json, (c) => c.notNull())
    .addColumn("user_attributes", json, (c) => c.notNull())
    .addColumn("demographic", json, (c) => c.notNull())
    .addColumn("location", json, (c) => c.notNull())
    .addPrimaryKeyConstraint("endpoints_pk", ["app_id", "id"])
    .execute();
  await db.schema.createIndex("endpoints_user").on("endpoints").columns(["app_id", "user_id"]).execute();
  await db.schema
    .createIndex("endpoints_address")
    .on("endpoints")
    .columns(["app_id", "channel_type", "address"])
    .execute();

  await db.schema
    .createTable("events")
    .addColumn("seq", dialect.serialType, (c) => dialect.serialPrimaryKey(c))
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("endpoint_id", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("event_type", "text", (c) => c.notNull())
    .addColumn("event_timestamp", "text", (c) => c.notNull())
    .addColumn("arrival_ms", "bigint", (c) => c.notNull())
    .addColumn("body", json, (c) => c.notNull())
    .execute();
  // A client retrying a PutEvents batch (after a timeout, say) must not record its events twice.
  await db.schema
    .createIndex("events_identity")
    .unique()
    .on("events")
    .columns(["app_id", "endpoint_id", "event_id"])
    .execute();

  await db.schema
    .createTable("event_streams")
    .addColumn("app_id", "text", (c) => c.primaryKey().references("apps.id").onDelete("cascade"))
    .addColumn("destination_stream_arn", "text", (c) => c.notNull())
    .addColumn("role_arn", "text", (c) => c.notNull())
    .addColumn("external_id", "text")
    .addColumn("last_modified_date", "text", (c) => c.notNull())
    .addColumn("last_updated_by", "text")
    .execute();

  await db.schema
    .createTable("stream_outbox")
    .addColumn("id", dialect.serialType, (c) => dialect.serialPrimaryKey(c))
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("destination_stream_arn", "text", (c) => c.notNull())
    .addColumn("record", json, (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_ms", "bigint", (c) => c.notNull())
    .addColumn("last_error", "text")
    .execute();
  await db.schema.createIndex("stream_outbox_due").on("stream_outbox").columns(["next_attempt_ms", "id"]).execute();

  await db.schema
    .createTable("channels")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("channel_type", "text", (c) => c.notNull())
    .addColumn("settings", json, (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("creation_date", "text", (c) => c.notNull())
    .addColumn("last_modified_date", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("channels_pk", ["app_id", "channel_type"])
    .execute();

  await db.schema
    .createTable("jobs")
    .addColumn("id", dialect.serialType, (c) => dialect.serialPrimaryKey(c))
    .addColumn("task", "text", (c) => c.notNull())
    .addColumn("payload", json, (c) => c.notNull())
    .addColumn("run_at_ms", "bigint", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("max_attempts", "integer", (c) => c.notNull())
    .addColumn("locked_at_ms", "bigint")
    .addColumn("locked_by", "text")
    .addColumn("last_error", "text")
    .execute();
  await db.schema.createIndex("jobs_due").on("jobs").columns(["run_at_ms", "id"]).execute();

  await db.schema
    .createTable("transfer_jobs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("definition", json, (c) => c.notNull())
    .addColumn("job_status", "text", (c) => c.notNull())
    .addColumn("creation_date", "text", (c) => c.notNull())
    .addColumn("completion_date", "text")
    .addColumn("total_pieces", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("completed_pieces", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failed_pieces", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("total_processed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("total_failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failures", json, (c) => c.notNull())
    .addColumn("checkpoint", json, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("transfer_jobs_app")
    .on("transfer_jobs")
    .columns(["app_id", "type", "creation_date"])
    .execute();

  await db.schema
    .createTable("segments")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("segment_type", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("definition", json, (c) => c.notNull())
    .addColumn("creation_date", "text", (c) => c.notNull())
    .addColumn("last_modified_date", "text", (c) => c.notNull())
    .addColumn("tags", json, (c) => c.notNull())
    .addPrimaryKeyConstraint("segments_pk", ["app_id", "id"])
    .execute();

  await db.schema
    .createTable("segment_members")
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("segment_id", "text", (c) => c.notNull())
    .addColumn("endpoint_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("segment_members_pk", ["app_id", "segment_id", "endpoint_id"])
    .execute();
}
