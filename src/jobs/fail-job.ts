import type { Kysely } from "kysely";
import type { Database } from "../store/index.js";

/** Backoff after the nth failed attempt: exponential from 1 s, capped at 10 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 10 * 60 * 1000);
}

/** Releases a failed job for a later attempt; past max_attempts it stays, unclaimed, with its error. */
export async function failJob(
  db: Kysely<Database>,
  job: { id: number; attempts: number },
  workerId: string,
  error: string,
  now = Date.now(),
): Promise<void> {
  await db
    .updateTable("jobs")
    .set({ locked_at_ms: null, locked_by: null, last_error: error, run_at_ms: now + retryDelayMs(job.attempts) })
    .where("id", "=", job.id)
    .where("locked_by", "=", workerId)
    .execute();
}
