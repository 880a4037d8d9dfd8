/**
 * A journey that ends (cancelled, or closed at its EndTime) stops its runs, so their fan-outs stop
 * at the next page, and ends everyone still in it. Runs first, then participants: on PostgreSQL a
 * fan-out page writing at the same moment either committed before (and its entries are ended here)
 * or finds its run stopped and rolls back. The scheduler does it once more a little later
 * (check-journey.ts), for what another process wrote before it heard of the end.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../store/index.js";
import { settleBroadcast } from "../broadcasts/settle.js";
import type { Journey } from "../model.js";
import { endParticipants } from "./end-participants.js";
import { setRunStatus } from "./runs.js";

/**
 * CANCELLED: runs and participants are CANCELLED. CLOSED: runs not started are CANCELLED, running
 * ones COMPLETED, participants LEFT.
 */
export async function endJourney(
  db: Kysely<Database>,
  journey: Journey,
  how: "CANCELLED" | "CLOSED",
  nowMs: number,
): Promise<void> {
  const stopped =
    how === "CANCELLED"
      ? await setRunStatus(db, journey, ["SCHEDULED", "RUNNING"], "CANCELLED", nowMs)
      : [
          ...(await setRunStatus(db, journey, ["SCHEDULED"], "CANCELLED", nowMs)),
          ...(await setRunStatus(db, journey, ["RUNNING"], "COMPLETED", nowMs)),
        ];
  await endParticipants(db, journey, how === "CANCELLED" ? "CANCELLED" : "LEFT", nowMs);
  for (const run of stopped) {
    if (run.broadcast_id) await settleBroadcast(db, journey.appId, run.broadcast_id, nowMs);
  }
}
