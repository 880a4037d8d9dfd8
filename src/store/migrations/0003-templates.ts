import type { Kysely } from "kysely";
import type { StoreDialect } from "../dialect.js";

/** Message templates (account-wide, keyed by name and type) and their numbered versions. */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable("templates")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("active_version", "integer", (c) => c.notNull())
    // Version numbers are never reused, so the highest one given out is kept even after it is deleted.
    .addColumn("latest_version", "integer", (c) => c.notNull())
    .addColumn("creation_date", "text", (c) => c.notNull())
    .addColumn("last_modified_date", "text", (c) => c.notNull())
    .addColumn("tags", dialect.jsonType, (c) => c.notNull())
    .addPrimaryKeyConstraint("templates_pk", ["name", "type"])
    .execute();

  await db.schema
    .createTable("template_versions")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("content", dialect.jsonType, (c) => c.notNull())
    .addColumn("default_substitutions", "text")
    .addColumn("description", "text")
    .addColumn("recommender_id", "text")
    .addColumn("creation_date", "text", (c) => c.notNull())
    .addColumn("last_modified_date", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("template_versions_pk", ["name", "type", "version"])
    .addForeignKeyConstraint("template_versions_template", ["name", "type"], "templates", ["name", "type"], (fk) =>
      fk.onDelete("cascade"),
    )
    .execute();
}
