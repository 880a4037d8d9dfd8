import { type Kysely, sql } from "kysely";
import type { StoreDialect } from "../dialect.js";

/**
 * Journeys, their runs, their participants (one row per entry, with the activity it is at and
 * when it next needs attention), execution metric counters and broadcasts.
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const json = dialect.jsonType;
  await db.schema
    .createTable("journeys")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("trigger", "text", (c) => c.notNull())
    .addColumn("definition", json, (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("creation_date", "text", (c) => c.notNull())
    .addColumn("last_modified_date", "text", (c) => c.notNull())
    .addColumn("tags", json, (c) => c.notNull())
    .addColumn("activated_ms", "bigint")
    .addColumn("next_check_ms", "bigint")
    .addPrimaryKeyConstraint("journeys_pk", ["app_id", "id"])
    .execute();
  await db.schema.createIndex("journeys_trigger").on("journeys").columns(["state", "trigger", "app_id"]).execute();
  await db.schema.createIndex("journeys_check").on("journeys").columns(["next_check_ms"]).execute();

  await db.schema
    .createTable("journey_runs")
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("journey_id", "text", (c) => c.notNull())
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("broadcast_id", "text")
    .addColumn("segment_version", "integer")
    .addColumn("cursor", "text")
    .addColumn("fanout_done", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("creation_ms", "bigint", (c) => c.notNull())
    .addColumn("last_update_ms", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("journey_runs_pk", ["journey_id", "run_id"])
    .execute();
  await db.schema.createIndex("journey_runs_broadcast").on("journey_runs").columns(["broadcast_id"]).execute();

  await db.schema
    .createTable("journey_participants")
    .addColumn("id", dialect.serialType, (c) => dialect.serialPrimaryKey(c))
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("journey_id", "text", (c) => c.notNull())
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("endpoint_id", "text", (c) => c.notNull())
    .addColumn("entry_key", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("activity_id", "text", (c) => c.notNull())
    .addColumn("step", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("wake_ms", "bigint")
    .addColumn("entered_ms", "bigint", (c) => c.notNull())
    .addColumn("activity_entered_ms", "bigint", (c) => c.notNull())
    .addColumn("broadcast_id", "text")
    .addColumn("trigger_event", json)
    .addColumn("messages", json, (c) => c.notNull())
    .addColumn("sent_total", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("sent_day_start_ms", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("sent_today", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  // Entering is idempotent: a retried event, broadcast page or segment page enters nobody twice.
  await db.schema
    .createIndex("journey_participants_entry")
    .unique()
    .on("journey_participants")
    .columns(["journey_id", "entry_key"])
    .execute();
  // The engine's claim: participants that need attention now, earliest first; finished ones drop out.
  await db.schema
    .createIndex("journey_participants_due")
    .on("journey_participants")
    .column("wake_ms")
    .where(sql.ref("wake_ms"), "is not", null)
    .execute();
  // Re-entry and "already active" checks, per journey and endpoint.
  await db.schema
    .createIndex("journey_participants_endpoint")
    .on("journey_participants")
    .columns(["journey_id", "endpoint_id"])
    .execute();

  await db.schema
    .createTable("journey_metrics")
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("journey_id", "text", (c) => c.notNull())
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("activity_id", "text", (c) => c.notNull())
    .addColumn("metric", "text", (c) => c.notNull())
    .addColumn("value", "bigint", (c) => c.notNull())
    .addColumn("updated_ms", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("journey_metrics_pk", ["journey_id", "run_id", "activity_id", "metric"])
    .execute();

  await db.schema
    .createTable("broadcasts")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("event", json, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("journeys", json, (c) => c.notNull())
    .addColumn("creation_ms", "bigint", (c) => c.notNull())
    .addColumn("completion_ms", "bigint")
    .addPrimaryKeyConstraint("broadcasts_pk", ["app_id", "id"])
    .execute();
}
