/**
 * What a change of journey state sets in motion, called by the API in the transaction that wrote
 * the new state (the caller wakes the journey loops after commit: `services.wake.journeys()`):
 * - publishing (ACTIVE, from DRAFT or at creation): a segment journey's first run is SCHEDULED, for
 *   now or a later Schedule.StartTime, and the scheduler starts it; an event journey gets the run
 *   its entries go into;
 *   a broadcast journey waits for broadcasts (each makes its own run).
 * - pausing: nothing moves (the engine skips paused journeys, no event enters them); resuming
 *   continues where everyone was, and the scheduler catches up with what came due meanwhile.
 * - cancelling: every participant still in it is CANCELLED, its runs too, so fan-outs stop.
 * Journey time is `services.clock.now()`.
 */
import type { Kysely } from "kysely";
import type { Services } from "../services.js";
import type { Database } from "../store/index.js";
import type { Journey, JourneyState } from "./model.js";
import { lateEntryGraceMs } from "./triggers/check-journey.js";
import { endJourney } from "./triggers/end-journey.js";
import { forgetEventJourneys } from "./triggers/event-entry.js";
import { scheduleRun, startEventRun } from "./triggers/runs.js";
import { entryWindow } from "./triggers/start-condition.js";

/**
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await trx.updateTable("journeys").set({ state: "CANCELLED" })...;
 *   await journeyStateChanged(trx, services, { ...journey, state: "CANCELLED" }, "ACTIVE");
 * });
 * services.wake.journeys();
 */
export async function journeyStateChanged(
  db: Kysely<Database>,
  services: Services,
  journey: Journey,
  previous: JourneyState | undefined,
): Promise<void> {
  const nowMs = services.clock.now();
  forgetEventJourneys(services, journey.appId);
  if (journey.state === "ACTIVE" && previous !== "ACTIVE" && previous !== "PAUSED") {
    await publish(db, journey, nowMs);
  } else if (journey.state === "ACTIVE") {
    // Resumed (or an active journey's settings changed): let the scheduler look at it now.
    await setNextCheck(db, journey, nowMs);
  } else if (journey.state === "CANCELLED" && previous !== "CANCELLED") {
    await cancel(db, journey, nowMs);
  }
}

async function publish(db: Kysely<Database>, journey: Journey, nowMs: number): Promise<void> {
  await db
    .updateTable("journeys")
    .set({ activated_ms: nowMs })
    .where("app_id", "=", journey.appId)
    .where("id", "=", journey.id)
    .where("activated_ms", "is", null)
    .execute();
  const { startMs, endMs } = entryWindow(journey.definition);
  if (journey.trigger === "SEGMENT") {
    // The scheduler starts it (at once when it is due now: the caller wakes it after commit) and
    // adds its fan-out job then, so the job is never claimed before this transaction commits.
    const firstRunMs = Math.max(startMs ?? nowMs, nowMs);
    await scheduleRun(db, journey, firstRunMs);
    await setNextCheck(db, journey, firstRunMs);
  } else {
    if (journey.trigger === "EVENT") await startEventRun(db, journey, nowMs);
    await setNextCheck(db, journey, endMs);
  }
}

async function cancel(db: Kysely<Database>, journey: Journey, nowMs: number): Promise<void> {
  await endJourney(db, journey, "CANCELLED", nowMs);
  // Once more after other processes have heard of it (event-entry.ts, a broadcast matching it meanwhile).
  await setNextCheck(db, journey, nowMs + lateEntryGraceMs);
}

async function setNextCheck(db: Kysely<Database>, journey: Journey, atMs: number | undefined): Promise<void> {
  await db
    .updateTable("journeys")
    .set({ next_check_ms: atMs ?? null })
    .where("app_id", "=", journey.appId)
    .where("id", "=", journey.id)
    .execute();
}
