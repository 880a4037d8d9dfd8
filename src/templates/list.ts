import { sql } from "kysely";
import { nextToken, type Page } from "../paging.js";
import type { Services } from "../services.js";
import type { TemplateType } from "./model.js";
import { listedTemplateResponse } from "./response.js";

export interface TemplateFilter {
  /** Only templates whose names begin with this (case sensitive, as names are). */
  prefix?: string;
  type?: TemplateType;
}

/** ListTemplates: every template of the account, by name then type, a page at a time. */
export async function listTemplates(services: Services, filter: TemplateFilter, page: Page) {
  let query = services.store.db.selectFrom("templates").selectAll().orderBy("name").orderBy("type").limit(page.size);
  if (filter.prefix) {
    // Not LIKE: SQLite's is case-insensitive and `_` (allowed in names) is a wildcard in it.
    query = query.where(sql<string>`substr(name, 1, ${sql.lit(filter.prefix.length)})`, "=", filter.prefix);
  }
  if (filter.type) query = query.where("type", "=", filter.type);
  if (page.after) {
    const [name, type] = page.after;
    query = query.where((eb) => eb.or([eb("name", ">", name), eb.and([eb("name", "=", name), eb("type", ">", type)])]));
  }
  const rows = await query.execute();
  return {
    Item: rows.map(listedTemplateResponse),
    NextToken: nextToken(rows, page, (row: { name: string; type: string }) => [row.name, row.type]),
  };
}
