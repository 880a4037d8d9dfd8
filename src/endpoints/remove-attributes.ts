/**
 * RemoveAttributes: deletes attribute names, exact or glob patterns (`Interest*`), from every
 * endpoint of an app. It walks the endpoints in keyset pages, each page its own short transaction,
 * so it never holds the whole audience in memory or locks it all at once.
 */
import type { Kysely } from "kysely";
import { badRequest } from "../api/errors.js";
import { writeEndpointDimensions } from "../segments/endpoint-dimensions.js";
import { type Database, fromJson, type StoreDialect, toJson } from "../store/index.js";
import { readEndpoints } from "./queries.js";

const columnByType = {
  "endpoint-custom-attributes": "attributes",
  "endpoint-metric-attributes": "metrics",
  "endpoint-user-attributes": "user_attributes",
} as const;

export type AttributeType = keyof typeof columnByType;

/** A glob (`*` any run, `?` one character) as a matcher. @example globMatcher("Interest*")("Interests") // true */
export function globMatcher(pattern: string): (name: string) => boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  const regex = new RegExp(`^${source}$`);
  return (name) => regex.test(name);
}

export async function removeAttributes(
  db: Kysely<Database>,
  dialect: StoreDialect,
  appId: string,
  attributeType: string,
  blacklist: string[],
): Promise<string[]> {
  if (!(attributeType in columnByType)) {
    throw badRequest(`AttributeType must be one of ${Object.keys(columnByType).join(", ")}`);
  }
  if (blacklist.length === 0) throw badRequest("Blacklist must name at least one attribute");
  const column = columnByType[attributeType as AttributeType];
  const matchers = blacklist.map(globMatcher);
  const removed = new Set<string>();
  let after = "";
  for (;;) {
    const pageEnd = await db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom("endpoints")
        .select(["id", column])
        .where("app_id", "=", appId)
        .where("id", ">", after)
        .orderBy("id")
        .limit(1000)
        .$if(dialect.supportsSkipLocked, (q) => q.forUpdate())
        .execute();
      const changed: string[] = [];
      for (const row of rows) {
        const values = fromJson<Record<string, unknown>>(row[column as keyof typeof row]);
        const doomed = Object.keys(values).filter((name) => matchers.some((match) => match(name)));
        if (doomed.length === 0) continue;
        for (const name of doomed) {
          removed.add(name);
          delete values[name];
        }
        await trx
          .updateTable("endpoints")
          .set({ [column]: toJson(values) })
          .where("app_id", "=", appId)
          .where("id", "=", row.id)
          .execute();
        changed.push(row.id);
      }
      // Segments read attributes from endpoint_dimensions, which must lose the removed ones too.
      await writeEndpointDimensions(trx, [...(await readEndpoints(trx, dialect, appId, changed)).values()]);
      return rows.length === 1000 ? rows[rows.length - 1].id : undefined;
    });
    if (pageEnd === undefined) break;
    after = pageEnd;
  }
  return [...removed].sort();
}
