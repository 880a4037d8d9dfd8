/**
 * Ending everyone still in a journey, when it is cancelled (CANCELLED) or reaches its EndTime
 * (LEFT). Only participants that had entered (ACTIVE) are counted, as CANCELLED or ENDPOINT_LEFT
 * of their run, so ENDPOINT_ACTIVE (ENTERED - LEFT - CANCELLED) comes back to zero; entries the
 * engine had not yet checked (ENTERING) never counted as entered and end uncounted.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../store/index.js";
import { addMetrics } from "../metrics-store.js";
import type { Journey } from "../model.js";

export type Ending = "CANCELLED" | "LEFT";

/** Ends the journey's ENTERING and ACTIVE participants; answers how many were ended. */
export async function endParticipants(
  db: Kysely<Database>,
  journey: Journey,
  ending: Ending,
  nowMs: number,
): Promise<number> {
  // RETURNING, not a count beforehand: on PostgreSQL the engine may move a participant between a
  // count and the update, and only the rows this statement changed may be counted.
  const ended = await db
    .updateTable("journey_participants")
    .set({ status: ending, wake_ms: null })
    .where("journey_id", "=", journey.id)
    .where("app_id", "=", journey.appId)
    .where("status", "=", "ACTIVE")
    .returning("run_id")
    .execute();
  const perRun = new Map<string, number>();
  for (const { run_id } of ended) perRun.set(run_id, (perRun.get(run_id) ?? 0) + 1);
  await addMetrics(
    db,
    [...perRun].map(([runId, by]) => ({
      appId: journey.appId,
      journeyId: journey.id,
      runId,
      activityId: "",
      metric: ending === "CANCELLED" ? "CANCELLED" : "ENDPOINT_LEFT",
      by,
    })),
    nowMs,
  );
  const unchecked = await db
    .updateTable("journey_participants")
    .set({ status: ending === "CANCELLED" ? "CANCELLED" : "REJECTED", wake_ms: null })
    .where("journey_id", "=", journey.id)
    .where("app_id", "=", journey.appId)
    .where("status", "=", "ENTERING")
    .executeTakeFirst();
  return ended.length + Number(unchecked.numUpdatedRows);
}
