/**
 * The lookups every template operation starts from, with Pinpoint's 404s.
 */
import type { Kysely } from "kysely";
import { notFound } from "../api/errors.js";
import type { Database } from "../store/index.js";
import type { TemplateType } from "./model.js";
import type { TemplateRow, VersionRow } from "./response.js";

/** The template's row, or Pinpoint's 404 when there is none. */
export async function requireTemplate(db: Kysely<Database>, name: string, type: TemplateType): Promise<TemplateRow> {
  const row = await db
    .selectFrom("templates")
    .selectAll()
    .where("name", "=", name)
    .where("type", "=", type)
    .executeTakeFirst();
  if (!row) throw notFound(`Template not found: ${name} (${type})`);
  return row;
}

/** One version's row, or Pinpoint's 404 when the template has no such version. */
export async function requireVersion(
  db: Kysely<Database>,
  name: string,
  type: TemplateType,
  version: number,
): Promise<VersionRow> {
  const row = await db
    .selectFrom("template_versions")
    .selectAll()
    .where("name", "=", name)
    .where("type", "=", type)
    .where("version", "=", version)
    .executeTakeFirst();
  if (!row) throw notFound(`Template ${name} (${type}) has no version ${version}`);
  return row;
}

/** The template's most recent existing version and how many versions it has. */
export async function versionSummary(
  db: Kysely<Database>,
  name: string,
  type: TemplateType,
): Promise<{ latest: number; count: number }> {
  const row = await db
    .selectFrom("template_versions")
    .select((eb) => [eb.fn.max("version").as("latest"), eb.fn.countAll().as("count")])
    .where("name", "=", name)
    .where("type", "=", type)
    .executeTakeFirst();
  return { latest: Number(row?.latest ?? 0), count: Number(row?.count ?? 0) };
}
