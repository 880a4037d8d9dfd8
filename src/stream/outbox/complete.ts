import type { Kysely } from "kysely";
import type { Database } from "../../store/index.js";

/** Removes delivered records; the destination holds them now. */
export async function completeRecords(db: Kysely<Database>, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom("stream_outbox").where("id", "in", ids).execute();
}
