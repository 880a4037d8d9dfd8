/**
 * What the scheduler does when a journey's next check has come, in the transaction that holds the
 * journey row: close it at its EndTime, start scheduled runs and refreshes, complete runs whose
 * fan-out is over and whose participants have all left, complete a one-time segment journey once
 * its run is complete, and end late entries into a journey that has ended. Answers when the
 * journey next needs looking at.
 */
import type { Kysely } from "kysely";
import type { Services } from "../../services.js";
import type { Database } from "../../store/index.js";
import type { Journey } from "../model.js";
import { addDuration } from "../time/duration.js";
import { endJourney } from "./end-journey.js";
import { forgetEventJourneys } from "./event-entry.js";
import { firstSegmentRun, type JourneyRun, openRuns, startRun, startScheduledRun } from "./runs.js";
import { entryWindow, isOneTime, segmentRefresh } from "./start-condition.js";

/**
 * How often (in journey time) a run whose fan-out is over is looked at again, to see whether its
 * last participant has left. Leaving is the engine's business; asking once a minute costs one
 * indexed read per open run rather than a message from the engine for every participant.
 */
export const completionCheckMs = 60_000;

/**
 * How long after a cancel or close the journey is swept once more: a process whose cache had not
 * yet heard of it (event-entry.ts, 1 s) may still have entered someone.
 */
export const lateEntryGraceMs = 10_000;

export interface CheckOutcome {
  /** When to look again; null for never (until something changes it). */
  nextCheckMs: number | null;
  /** Runs started, whose fan-out jobs were added (wake the jobs worker after commit). */
  startedRuns: number;
}

export async function checkJourney(
  db: Kysely<Database>,
  services: Services,
  journey: Journey,
  nowMs: number,
): Promise<CheckOutcome> {
  switch (journey.state) {
    case "CANCELLED":
      await endJourney(db, journey, "CANCELLED", nowMs);
      return { nextCheckMs: null, startedRuns: 0 };
    case "CLOSED":
    case "COMPLETED":
      await endJourney(db, journey, "CLOSED", nowMs);
      return { nextCheckMs: null, startedRuns: 0 };
    case "ACTIVE":
      return checkActive(db, services, journey, nowMs);
    default:
      // DRAFT, and PAUSED until it resumes (the resume asks for a check).
      return { nextCheckMs: null, startedRuns: 0 };
  }
}

async function checkActive(
  db: Kysely<Database>,
  services: Services,
  journey: Journey,
  nowMs: number,
): Promise<CheckOutcome> {
  const window = entryWindow(journey.definition);
  if (window.endMs !== undefined && nowMs >= window.endMs) {
    await closeJourney(db, services, journey, nowMs);
    return { nextCheckMs: nowMs + lateEntryGraceMs, startedRuns: 0 };
  }
  const next = new NextCheck(window.endMs);
  let startedRuns = 0;
  let stillOpen = 0;
  const { open, latest } = await openRuns(db, journey);
  for (const run of open) {
    if (run.status === "SCHEDULED") {
      if (run.creation_ms <= nowMs) {
        await startScheduledRun(db, run, nowMs);
        startedRuns += 1;
      } else {
        next.at(run.creation_ms);
      }
      stillOpen += 1;
    } else if (run.fanout_done && !(await hasParticipants(db, run))) {
      await completeRun(db, run, nowMs);
    } else {
      // A fan-out still going asks for a check itself when it finishes (fanout-task.ts).
      if (run.fanout_done) next.at(nowMs + completionCheckMs);
      stillOpen += 1;
    }
  }
  if (journey.trigger === "SEGMENT") {
    if (!latest) {
      // Published without its first run (activated by an older Waymark): start it as publishing would have.
      const first = await firstSegmentRun(db, journey, nowMs);
      if (!first.started) next.at(first.startMs);
      return { nextCheckMs: next.value(), startedRuns: first.started ? 1 : 0 };
    }
    const frequency = segmentRefresh(journey.definition).frequency;
    if (frequency && latest.status !== "SCHEDULED") {
      const due = addDuration(latest.creation_ms, frequency);
      if (due <= latest.creation_ms) throw new Error(`RefreshFrequency ${frequency} is not a positive duration`);
      if (due <= nowMs) {
        await startRun(db, journey, nowMs);
        startedRuns += 1;
        next.at(addDuration(nowMs, frequency));
      } else {
        next.at(due);
      }
    } else if (stillOpen === 0 && isOneTime(journey.definition)) {
      await db
        .updateTable("journeys")
        .set({ state: "COMPLETED" })
        .where("app_id", "=", journey.appId)
        .where("id", "=", journey.id)
        .execute();
      return { nextCheckMs: null, startedRuns };
    }
  }
  return { nextCheckMs: next.value(), startedRuns };
}

/** Schedule.EndTime has passed: nobody may enter any more, and those still in it leave. */
async function closeJourney(db: Kysely<Database>, services: Services, journey: Journey, nowMs: number): Promise<void> {
  await db
    .updateTable("journeys")
    .set({ state: "CLOSED" })
    .where("app_id", "=", journey.appId)
    .where("id", "=", journey.id)
    .execute();
  await endJourney(db, journey, "CLOSED", nowMs);
  forgetEventJourneys(services, journey.appId);
}

/** Whether anyone of the run is still entering or in the journey. */
async function hasParticipants(db: Kysely<Database>, run: JourneyRun): Promise<boolean> {
  const row = await db
    .selectFrom("journey_participants")
    .select("id")
    .where("journey_id", "=", run.journey_id)
    .where("run_id", "=", run.run_id)
    .where("status", "in", ["ENTERING", "ACTIVE"])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

async function completeRun(db: Kysely<Database>, run: JourneyRun, nowMs: number): Promise<void> {
  await db
    .updateTable("journey_runs")
    .set({ status: "COMPLETED", last_update_ms: nowMs })
    .where("journey_id", "=", run.journey_id)
    .where("run_id", "=", run.run_id)
    .where("status", "=", "RUNNING")
    .execute();
}

/** The earliest of the times something is due. */
class NextCheck {
  private ms = Number.POSITIVE_INFINITY;

  constructor(endMs?: number) {
    if (endMs !== undefined) this.at(endMs);
  }

  at(ms: number): void {
    this.ms = Math.min(this.ms, ms);
  }

  value(): number | null {
    return Number.isFinite(this.ms) ? this.ms : null;
  }
}
