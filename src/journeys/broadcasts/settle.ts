/**
 * A broadcast is DONE once every journey it started has finished its fan-out (or stopped: the
 * journey was cancelled or closed). Called in the transaction that finished or stopped one of its
 * runs; the broadcast row is locked first so two runs finishing at once on PostgreSQL cannot each
 * see the other still running and leave the broadcast RUNNING for ever.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../store/index.js";

export async function settleBroadcast(
  db: Kysely<Database>,
  appId: string,
  broadcastId: string,
  nowMs: number,
): Promise<void> {
  const locked = await db
    .updateTable("broadcasts")
    .set({ status: "RUNNING" })
    .where("app_id", "=", appId)
    .where("id", "=", broadcastId)
    .where("status", "=", "RUNNING")
    .executeTakeFirst();
  if (Number(locked.numUpdatedRows) === 0) return;
  const unfinished = await db
    .selectFrom("journey_runs")
    .select("run_id")
    .where("broadcast_id", "=", broadcastId)
    .where("app_id", "=", appId)
    .where("status", "in", ["SCHEDULED", "RUNNING"])
    .where("fanout_done", "=", 0)
    .limit(1)
    .executeTakeFirst();
  if (unfinished) return;
  await db
    .updateTable("broadcasts")
    .set({ status: "DONE", completion_ms: nowMs })
    .where("app_id", "=", appId)
    .where("id", "=", broadcastId)
    .execute();
}
