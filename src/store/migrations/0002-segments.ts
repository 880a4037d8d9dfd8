import type { Kysely } from "kysely";
import { fromRow } from "../../endpoints/index.js";
import { writeEndpointDimensions } from "../../segments/endpoint-dimensions.js";
import type { StoreDialect } from "../dialect.js";
import type { Database } from "../schema.js";

/**
 * Segment versions, and endpoint_dimensions: the narrow row per endpoint that segments are
 * evaluated on (segments/endpoint-dimensions.ts), filled here for the endpoints already stored.
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const json = dialect.jsonType;
  await db.schema
    .createTable("segment_versions")
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("segment_id", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("segment_type", "text", (c) => c.notNull())
    .addColumn("definition", json, (c) => c.notNull())
    .addColumn("last_modified_date", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("segment_versions_pk", ["app_id", "segment_id", "version"])
    .addForeignKeyConstraint("segment_versions_segment", ["app_id", "segment_id"], "segments", ["app_id", "id"], (fk) =>
      fk.onDelete("cascade"),
    )
    .execute();

  await dialect
    .clusterByPrimaryKey(
      db.schema
        .createTable("endpoint_dimensions")
        .addColumn("app_id", "text", (c) => c.notNull())
        .addColumn("endpoint_id", "text", (c) => c.notNull())
        .addColumn("channel_type", "text")
        .addColumn("platform", "text")
        .addColumn("make", "text")
        .addColumn("model", "text")
        .addColumn("app_version", "text")
        .addColumn("device_type", "text")
        .addColumn("country", "text")
        .addColumn("terms", "text", (c) => c.notNull())
        .addColumn("term_bits", "bigint", (c) => c.notNull())
        .addColumn("active_ms", "bigint", (c) => c.notNull())
        .addColumn("latitude", "double precision")
        .addColumn("longitude", "double precision")
        .addColumn("metrics", json, (c) => c.notNull())
        .addColumn("instants", json, (c) => c.notNull())
        .addPrimaryKeyConstraint("endpoint_dimensions_pk", ["app_id", "endpoint_id"])
        .addForeignKeyConstraint(
          "endpoint_dimensions_endpoint",
          ["app_id", "endpoint_id"],
          "endpoints",
          ["app_id", "id"],
          (fk) => fk.onDelete("cascade"),
        ),
    )
    .execute();

  const store = db as unknown as Kysely<Database>;
  let after = "";
  let appAfter = "";
  for (;;) {
    const rows = await store
      .selectFrom("endpoints")
      .selectAll()
      .where((eb) => eb.or([eb("app_id", ">", appAfter), eb.and([eb("app_id", "=", appAfter), eb("id", ">", after)])]))
      .orderBy("app_id")
      .orderBy("id")
      .limit(1000)
      .execute();
    if (rows.length === 0) break;
    await writeEndpointDimensions(store, rows.map(fromRow));
    appAfter = rows[rows.length - 1].app_id;
    after = rows[rows.length - 1].id;
  }
}
