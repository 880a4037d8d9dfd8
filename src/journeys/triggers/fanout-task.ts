/**
 * The "journey-fanout" task: enters every endpoint of a run's segment into the journey, page by
 * page in endpoint id order. Each page's ENTERING rows and the run's cursor commit in one
 * transaction, so a process killed at any moment resumes after the last committed page: nobody
 * is skipped, and nobody enters twice (the entry keys are unique besides). The cursor update only
 * succeeds while the run is RUNNING, which is how a cancelled or closed journey stops its fan-out.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Kysely } from "kysely";
import { PinpointError } from "../../api/errors.js";
import type { TaskHelpers } from "../../jobs/types.js";
import { segmentEndpointIds, segmentSize } from "../../segments/index.js";
import type { Services } from "../../services.js";
import type { Database } from "../../store/index.js";
import { settleBroadcast } from "../broadcasts/settle.js";
import { type Entrant, insertEntrants } from "../participants.js";
import { readJourney } from "../queries.js";
import type { FanoutPayload, JourneyRun } from "./runs.js";
import { fannedOutSegment } from "./start-condition.js";

/**
 * Endpoints per page and transaction: a page's insert is one statement of 1,000 rows, and the
 * lock it holds on SQLite's single writer stays in the milliseconds.
 */
export const fanoutPageSize = 1000;

/** The run stopped (cancelled, closed, or taken over by another worker) while a page was written. */
class RunStopped extends Error {}

export async function journeyFanoutTask(payload: unknown, helpers: TaskHelpers): Promise<void> {
  const { appId, journeyId, runId } = payload as FanoutPayload;
  const { services } = helpers;
  const { db } = services.store;
  let run = await readRun(db, appId, journeyId, runId);
  if (run?.status !== "RUNNING" || run.fanout_done) return;
  const journey = await readJourney(db, appId, journeyId);
  const segmentId = journey && fannedOutSegment(journey.definition);
  if (!segmentId) {
    await finishFanout(services, run);
    return;
  }
  try {
    run = await fixAudience(services, run, segmentId);
    let cursor = run.cursor;
    const pages = segmentEndpointIds(services, appId, segmentId, {
      version: run.segment_version ?? undefined,
      after: cursor ?? undefined,
      pageSize: fanoutPageSize,
    });
    for await (const page of pages) {
      if (!(await enterPage(services, run, cursor, page))) return;
      cursor = page[page.length - 1];
      services.wake.journeys();
      await helpers.heartbeat();
      // better-sqlite3 answers synchronously: without this turn, requests would wait for the whole segment.
      await nextTurn();
      if (helpers.signal.aborted) return;
    }
  } catch (error) {
    // The segment was deleted since the journey was published: nobody more can enter from it.
    if (!(error instanceof PinpointError && error.statusCode === 404)) throw error;
    helpers.log.warn({ journeyId, runId, segmentId }, "the journey's segment no longer exists; its fan-out ends");
  }
  await finishFanout(services, run);
}

async function readRun(db: Kysely<Database>, appId: string, journeyId: string, runId: string) {
  return db
    .selectFrom("journey_runs")
    .selectAll()
    .where("app_id", "=", appId)
    .where("journey_id", "=", journeyId)
    .where("run_id", "=", runId)
    .executeTakeFirst();
}

/**
 * Pins the segment version the whole fan-out reads (a segment updated meanwhile does not change
 * who this run enters) and records its size for progress, once, before the first page.
 */
async function fixAudience(services: Services, run: JourneyRun, segmentId: string): Promise<JourneyRun> {
  if (run.segment_version !== null) return run;
  const size = await segmentSize(services, run.app_id, segmentId);
  await services.store.db
    .updateTable("journey_runs")
    .set({ segment_version: size.Version, audience_size: size.Size })
    .where("journey_id", "=", run.journey_id)
    .where("run_id", "=", run.run_id)
    .where("segment_version", "is", null)
    .execute();
  return { ...run, segment_version: size.Version, audience_size: size.Size };
}

/** Enters one page and moves the cursor past it, in one transaction; false when the run has stopped. */
async function enterPage(services: Services, run: JourneyRun, cursor: string | null, page: string[]) {
  const nowMs = services.clock.now();
  const broadcastId = run.broadcast_id ?? undefined;
  const entrants: Entrant[] = page.map((endpointId) => ({
    appId: run.app_id,
    journeyId: run.journey_id,
    runId: run.run_id,
    endpointId,
    entryKey: broadcastId ? `broadcast:${broadcastId}:${endpointId}` : `run:${run.run_id}:${endpointId}`,
    broadcastId,
  }));
  try {
    await services.store.db.transaction().execute(async (trx) => {
      const inserted = await insertEntrants(trx, entrants, nowMs);
      // After the inserts: on PostgreSQL a cancel that updated the run first makes this match no row,
      // and the page rolls back; one that comes later waits for this commit and then ends these rows too.
      const moved = await trx
        .updateTable("journey_runs")
        .set((eb) => ({
          cursor: page[page.length - 1],
          entrants: eb("entrants", "+", inserted),
          last_update_ms: nowMs,
        }))
        .where("journey_id", "=", run.journey_id)
        .where("run_id", "=", run.run_id)
        .where("status", "=", "RUNNING")
        .where("cursor", cursor === null ? "is" : "=", cursor)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) throw new RunStopped();
    });
  } catch (error) {
    if (error instanceof RunStopped) return false;
    throw error;
  }
  return true;
}

/** Marks the fan-out done and has the scheduler look at the journey (the run may now complete). */
async function finishFanout(services: Services, run: JourneyRun): Promise<void> {
  const nowMs = services.clock.now();
  await services.store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("journey_runs")
      .set({ fanout_done: 1, last_update_ms: nowMs })
      .where("journey_id", "=", run.journey_id)
      .where("run_id", "=", run.run_id)
      .execute();
    await trx
      .updateTable("journeys")
      .set({ next_check_ms: nowMs })
      .where("app_id", "=", run.app_id)
      .where("id", "=", run.journey_id)
      .where((eb) => eb.or([eb("next_check_ms", "is", null), eb("next_check_ms", ">", nowMs)]))
      .execute();
    if (run.broadcast_id) await settleBroadcast(trx, run.app_id, run.broadcast_id, nowMs);
  });
  services.wake.journeys();
}
