/**
 * Journey runs as the triggers write them: a segment run is created SCHEDULED (for a later
 * StartTime) or RUNNING with its fan-out job added in the same transaction, so a run that exists
 * is always either waiting for the scheduler or being fanned out, whatever crashes in between.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { addJob } from "../../jobs/add-job.js";
import type { Database } from "../../store/index.js";
import type { JourneyRunsTable } from "../../store/schema.js";
import type { Journey } from "../model.js";
import { entryWindow } from "./start-condition.js";

export type RunStatus = "SCHEDULED" | "RUNNING" | "COMPLETED" | "CANCELLED";
export type JourneyRun = Selectable<JourneyRunsTable>;

/** The job task that enters a run's segment, page by page (fanout-task.ts). */
export const fanoutTask = "journey-fanout";

export interface FanoutPayload {
  appId: string;
  journeyId: string;
  runId: string;
}

export function newRunId(): string {
  return randomUUID().replaceAll("-", "");
}

/**
 * A run that starts now: RUNNING, with the job that fans its segment out. A broadcast's run takes
 * the broadcast's id as its own.
 * @example await startRun(trx, journey, services.clock.now()); // after commit: services.wake.jobs()
 */
export async function startRun(
  db: Kysely<Database>,
  journey: Journey,
  nowMs: number,
  options: { runId?: string; broadcastId?: string } = {},
): Promise<string> {
  const runId = options.runId ?? newRunId();
  await insertRun(db, journey, runId, "RUNNING", nowMs, options.broadcastId);
  await addFanoutJob(db, { appId: journey.appId, journeyId: journey.id, runId });
  return runId;
}

/**
 * A segment journey's first run: now, or SCHEDULED for a later Schedule.StartTime. Answers when
 * it starts, and whether it started already (then wake the jobs worker after commit).
 */
export async function firstSegmentRun(
  db: Kysely<Database>,
  journey: Journey,
  nowMs: number,
): Promise<{ startMs: number; started: boolean }> {
  const { startMs } = entryWindow(journey.definition);
  if (startMs !== undefined && startMs > nowMs) {
    await scheduleRun(db, journey, startMs);
    return { startMs, started: false };
  }
  await startRun(db, journey, nowMs);
  return { startMs: nowMs, started: true };
}

/** A run that the scheduler starts at `startMs` (its creation time is when it is due). */
export async function scheduleRun(db: Kysely<Database>, journey: Journey, startMs: number): Promise<string> {
  const runId = newRunId();
  await insertRun(db, journey, runId, "SCHEDULED", startMs);
  return runId;
}

/** The one run of an event journey, into which every event entry goes; it has nothing to fan out. */
export async function startEventRun(db: Kysely<Database>, journey: Journey, nowMs: number): Promise<string> {
  const runId = newRunId();
  await insertRun(db, journey, runId, "RUNNING", nowMs);
  return runId;
}

/** Starts a SCHEDULED run whose time has come. */
export async function startScheduledRun(db: Kysely<Database>, run: JourneyRun, nowMs: number): Promise<void> {
  await db
    .updateTable("journey_runs")
    .set({ status: "RUNNING", last_update_ms: nowMs })
    .where("journey_id", "=", run.journey_id)
    .where("run_id", "=", run.run_id)
    .where("status", "=", "SCHEDULED")
    .execute();
  await addFanoutJob(db, { appId: run.app_id, journeyId: run.journey_id, runId: run.run_id });
}

/** Runs still to start or still going, and the latest run (refreshes count from it). */
export async function openRuns(
  db: Kysely<Database>,
  journey: Journey,
): Promise<{ open: JourneyRun[]; latest?: JourneyRun }> {
  const open = await db
    .selectFrom("journey_runs")
    .selectAll()
    .where("journey_id", "=", journey.id)
    .where("app_id", "=", journey.appId)
    .where("status", "in", ["SCHEDULED", "RUNNING"])
    .execute();
  const latest = await db
    .selectFrom("journey_runs")
    .selectAll()
    .where("journey_id", "=", journey.id)
    .where("app_id", "=", journey.appId)
    .orderBy("creation_ms", "desc")
    .limit(1)
    .executeTakeFirst();
  return { open, latest };
}

/** Sets the status of the journey's runs that are in one of `from`; answers the runs changed. */
export async function setRunStatus(
  db: Kysely<Database>,
  journey: Journey,
  from: RunStatus[],
  to: RunStatus,
  nowMs: number,
): Promise<Array<{ run_id: string; broadcast_id: string | null }>> {
  return db
    .updateTable("journey_runs")
    .set({ status: to, last_update_ms: nowMs })
    .where("journey_id", "=", journey.id)
    .where("app_id", "=", journey.appId)
    .where("status", "in", from)
    .returning(["run_id", "broadcast_id"])
    .execute();
}

async function insertRun(
  db: Kysely<Database>,
  journey: Journey,
  runId: string,
  status: RunStatus,
  creationMs: number,
  broadcastId?: string,
): Promise<void> {
  await db
    .insertInto("journey_runs")
    .values({
      app_id: journey.appId,
      journey_id: journey.id,
      run_id: runId,
      status,
      broadcast_id: broadcastId ?? null,
      segment_version: null,
      cursor: null,
      fanout_done: 0,
      creation_ms: creationMs,
      last_update_ms: creationMs,
    })
    .execute();
}

async function addFanoutJob(db: Kysely<Database>, payload: FanoutPayload): Promise<void> {
  // Many attempts: a fan-out resumes from its cursor, so a retry costs only the page it was on.
  await addJob(db, { task: fanoutTask, payload, maxAttempts: 25 });
}
