import type { Kysely } from "kysely";
import type { Database } from "../store/index.js";

/** A finished job is deleted; its outcome lives in the domain's own rows. */
export async function completeJob(db: Kysely<Database>, id: number, workerId: string): Promise<void> {
  await db.deleteFrom("jobs").where("id", "=", id).where("locked_by", "=", workerId).execute();
}
