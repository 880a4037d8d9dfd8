import type { Kysely } from "kysely";
import { type Database, fromJson, type StoreDialect } from "../../store/index.js";

export interface OutboxRow {
  id: number;
  app_id: string;
  destination_stream_arn: string;
  record: unknown;
  /** Delivery attempts so far, this one included. */
  attempts: number;
  /** When this claim's lease ends; also the token a failure report must match. */
  next_attempt_ms: number;
}

/**
 * Claims up to `limit` due records, oldest first, by pushing their next attempt past a lease. The
 * lease is the whole crash story: a process killed mid-delivery never releases its rows, so they
 * come due again when the lease ends and another claim delivers them (at least once). PostgreSQL
 * lets several processes claim at once with SKIP LOCKED; SQLite's single writer makes the UPDATE
 * exclusive already.
 * @example const rows = await claimRecords(db, dialect, { limit: 500, leaseMs: 60_000 });
 */
export async function claimRecords(
  db: Kysely<Database>,
  dialect: StoreDialect,
  options: { limit: number; leaseMs: number; now?: number },
): Promise<OutboxRow[]> {
  const now = options.now ?? Date.now();
  const rows = await db
    .updateTable("stream_outbox")
    .set((eb) => ({ next_attempt_ms: now + options.leaseMs, attempts: eb("attempts", "+", 1) }))
    .where("id", "in", (eb) =>
      eb
        .selectFrom("stream_outbox")
        .select("id")
        .where("next_attempt_ms", "<=", now)
        .orderBy("id")
        .limit(options.limit)
        .$if(dialect.supportsSkipLocked, (q) => q.forUpdate().skipLocked()),
    )
    .returning(["id", "app_id", "destination_stream_arn", "record", "attempts", "next_attempt_ms"])
    .execute();
  // RETURNING promises no order; a destination receives its records in the order they were queued.
  return rows.map((row) => ({ ...row, record: fromJson(row.record) })).sort((a, b) => a.id - b.id);
}
