import type { Kysely } from "kysely";
import type { Database, StoreDialect } from "../store/index.js";
import { fromJson } from "../store/index.js";
import type { JobRow } from "./types.js";

/**
 * Claims up to `limit` due jobs for this worker. A job whose lease (`locked_at_ms`) is older than
 * `leaseMs` belongs to a worker that died: it is due again, which is how a kill -9 is recovered.
 * PostgreSQL lets many processes claim at once with SKIP LOCKED; SQLite has one writer at a time,
 * so the same UPDATE is already exclusive there.
 */
export async function getJobs(
  db: Kysely<Database>,
  dialect: StoreDialect,
  options: { workerId: string; limit: number; leaseMs: number; now?: number },
): Promise<JobRow[]> {
  const now = options.now ?? Date.now();
  const rows = await db
    .updateTable("jobs")
    .set((eb) => ({ locked_at_ms: now, locked_by: options.workerId, attempts: eb("attempts", "+", 1) }))
    .where("id", "in", (eb) =>
      eb
        .selectFrom("jobs")
        .select("id")
        .where("run_at_ms", "<=", now)
        .where((w) => w("attempts", "<", w.ref("max_attempts")))
        .where((w) => w.or([w("locked_at_ms", "is", null), w("locked_at_ms", "<", now - options.leaseMs)]))
        .orderBy("run_at_ms")
        .orderBy("id")
        .limit(options.limit)
        .$if(dialect.supportsSkipLocked, (q) => q.forUpdate().skipLocked()),
    )
    .returning(["id", "task", "payload", "attempts", "max_attempts"])
    .execute();
  return rows.map((row) => ({ ...row, payload: fromJson(row.payload) }));
}
