/**
 * Pinpoint's paging: `page-size` and an opaque `token` that the previous page returned as NextToken.
 * Tokens carry the last key seen (keyset paging), so a page costs the same wherever it is.
 */
import { type RawBuilder, type SqlBool, sql } from "kysely";
import { badRequest } from "./api/errors.js";

export interface Page {
  size: number;
  after?: string[];
}

/** Reads page-size (1..max, default `fallback`) and token. @example readPage("20", undefined) */
export function readPage(pageSize: unknown, token: unknown, fallback = 100, max = 1000): Page {
  let size = fallback;
  if (pageSize !== undefined && pageSize !== "") {
    size = Number(pageSize);
    if (!Number.isInteger(size) || size < 1 || size > max) {
      throw badRequest(`page-size must be an integer from 1 to ${max}`);
    }
  }
  if (token === undefined || token === "") return { size };
  try {
    const after = JSON.parse(Buffer.from(String(token), "base64url").toString("utf8"));
    if (Array.isArray(after) && after.every((k) => typeof k === "string")) return { size, after };
  } catch {}
  throw badRequest("The token is not valid");
}

/** The NextToken for a page that came back full, from its last row's key. */
export function nextToken(rows: unknown[], page: Page, keyOf: (row: never) => string[]): string | undefined {
  if (rows.length < page.size) return undefined;
  return Buffer.from(JSON.stringify(keyOf(rows[rows.length - 1] as never))).toString("base64url");
}

/**
 * The rows after a token's key in a list by creation (`ORDER BY creation_date, id`): apps, segments
 * and journeys are listed that way. Column names are unqualified: for single-table queries.
 * @example if (page.after) query = query.where(createdAfter(page.after));
 */
export function createdAfter([date, id]: string[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`(creation_date > ${date} or (creation_date = ${date} and id > ${id}))`;
}
