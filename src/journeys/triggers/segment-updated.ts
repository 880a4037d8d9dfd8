/**
 * RefreshOnSegmentUpdate: when a segment changes (UpdateSegment makes a new version, an import job
 * adds endpoints to it), every published segment journey on it that asks for refreshes starts a new
 * run, in the transaction that changed the segment, so the change and the run commit together.
 * New members enter; the engine applies the journey's re-entry rules to the others.
 */
import type { Kysely } from "kysely";
import type { Services } from "../../services.js";
import type { Database } from "../../store/index.js";
import { toJourney } from "../model.js";
import { startRun } from "./runs.js";
import { entryWindow, fannedOutSegment, isOpen, segmentRefresh } from "./start-condition.js";

/**
 * Starts the runs; answers how many (the caller wakes the jobs worker after commit when any).
 * @example if ((await segmentUpdated(trx, services, appId, segmentId)) > 0) services.wake.jobs(); // after commit
 */
export async function segmentUpdated(
  db: Kysely<Database>,
  services: Services,
  appId: string,
  segmentId: string,
): Promise<number> {
  const nowMs = services.clock.now();
  const rows = await db
    .selectFrom("journeys")
    .selectAll()
    // A paused journey's run waits with it: its entries are taken up when it resumes.
    .where("state", "in", ["ACTIVE", "PAUSED"])
    .where("trigger", "=", "SEGMENT")
    .where("app_id", "=", appId)
    .execute();
  let started = 0;
  for (const journey of rows.map(toJourney)) {
    const definition = journey.definition;
    if (fannedOutSegment(definition) !== segmentId || !segmentRefresh(definition).onSegmentUpdate) continue;
    if (!isOpen(entryWindow(definition), nowMs)) continue;
    // A first run not started yet reads the segment as it will be then.
    const waiting = await db
      .selectFrom("journey_runs")
      .select("run_id")
      .where("journey_id", "=", journey.id)
      .where("app_id", "=", appId)
      .where("status", "=", "SCHEDULED")
      .limit(1)
      .executeTakeFirst();
    if (waiting) continue;
    await startRun(db, journey, nowMs);
    started += 1;
  }
  return started;
}
