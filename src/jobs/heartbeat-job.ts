import type { Kysely } from "kysely";
import type { Database } from "../store/index.js";

/** Renews a job's lease; fails if another worker has taken the job over meanwhile. */
export async function heartbeatJob(db: Kysely<Database>, id: number, workerId: string, now = Date.now()) {
  const result = await db
    .updateTable("jobs")
    .set({ locked_at_ms: now })
    .where("id", "=", id)
    .where("locked_by", "=", workerId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new Error(`job ${id} lease was lost`);
}
