/** JSON columns: one way in, one way out, whatever the database. */

/** @example db.insertInto("apps").values({ tags: toJson({}) }) */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** PostgreSQL's driver parses jsonb already; SQLite hands back the text. @example fromJson<Tags>(row.tags) */
export function fromJson<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}
