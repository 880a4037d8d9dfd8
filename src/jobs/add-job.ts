import type { Kysely } from "kysely";
import type { Database } from "../store/index.js";
import { toJson } from "../store/index.js";

export interface NewJob {
  task: string;
  payload: unknown;
  runAtMs?: number;
  maxAttempts?: number;
}

/**
 * Adds a job; pass a transaction to make the job part of the change that needs it.
 * @example await addJob(trx, { task: "import-job", payload: { jobId } });
 */
export async function addJob(db: Kysely<Database>, job: NewJob): Promise<number> {
  const row = await db
    .insertInto("jobs")
    .values({
      task: job.task,
      payload: toJson(job.payload),
      run_at_ms: job.runAtMs ?? Date.now(),
      attempts: 0,
      max_attempts: job.maxAttempts ?? 10,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}
