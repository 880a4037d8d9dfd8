import type { Kysely } from "kysely";
import { type Database, toJson } from "../../store/index.js";

/**
 * Rows per INSERT: five parameters each keeps a statement far below SQLite's 32,766 bound
 * parameters (and PostgreSQL's 65,535), while a PutEvents batch of 100 records is one statement.
 */
const rowsPerInsert = 1000;

/**
 * Queues records on the app's event stream, if it has one: one lookup and one multi-row insert.
 * Call it inside the transaction that records what the records describe, so both commit or
 * neither does, then call `services.wake.stream()` after the commit.
 * @example
 * const added = await db.transaction().execute((trx) => appendToStream(trx, appId, records));
 * if (added > 0) services.wake.stream();
 * @returns how many records were queued (0 when the app streams nowhere).
 */
export async function appendToStream(
  db: Kysely<Database>,
  appId: string,
  records: unknown[],
  now = Date.now(),
): Promise<number> {
  if (records.length === 0) return 0;
  const stream = await db
    .selectFrom("event_streams")
    .select("destination_stream_arn")
    .where("app_id", "=", appId)
    .executeTakeFirst();
  if (!stream) return 0;
  const rows = records.map((record) => ({
    app_id: appId,
    destination_stream_arn: stream.destination_stream_arn,
    record: toJson(record),
    attempts: 0,
    next_attempt_ms: now,
  }));
  for (let start = 0; start < rows.length; start += rowsPerInsert) {
    await db
      .insertInto("stream_outbox")
      .values(rows.slice(start, start + rowsPerInsert))
      .execute();
  }
  return rows.length;
}
