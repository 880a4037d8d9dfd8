/**
 * Sending a broadcast: the event is recorded, matched against the app's ACTIVE broadcast journeys,
 * and each matching journey gets a run (its id is the broadcast's) whose fan-out job enters every
 * endpoint of the journey's segment. All of it commits in one transaction, so a broadcast that
 * was answered has its runs and jobs, whatever crashes next.
 */
import { randomUUID } from "node:crypto";
import { badRequest, conflict } from "../../api/errors.js";
import { requireApp } from "../../apps/index.js";
import type { Services } from "../../services.js";
import { fromJson, toJson } from "../../store/index.js";
import { matchesEventDimensions } from "../conditions/event-dimensions.js";
import type { Journey } from "../model.js";
import { activeJourneys } from "../queries.js";
import { startRun } from "../triggers/runs.js";
import { entryWindow, eventTrigger, fannedOutSegment, isOpen } from "../triggers/start-condition.js";
import type { BroadcastEvent, BroadcastResponse, WriteBroadcastRequest } from "./model.js";
import { getBroadcast } from "./progress.js";
import { checkBroadcastRequest } from "./validate.js";

/**
 * @example
 * await createBroadcast(services, appId, { Id: "release-42", EventType: "feature_release", Attributes: { feature: "Dark mode" } });
 */
export async function createBroadcast(
  services: Services,
  appId: string,
  request: WriteBroadcastRequest,
): Promise<BroadcastResponse> {
  const problem = checkBroadcastRequest(request ?? {});
  if (problem) throw badRequest(problem);
  await requireApp(services, appId);
  const event: BroadcastEvent = {
    EventType: request.EventType ?? "",
    Attributes: request.Attributes ?? {},
    Metrics: request.Metrics ?? {},
  };
  const id = request.Id ?? randomUUID().replaceAll("-", "");
  const nowMs = services.clock.now();
  const startedRuns = await services.store.db.transaction().execute(async (trx) => {
    // Insert first: a concurrent call with the same Id waits here (PostgreSQL) or after (SQLite)
    // and then finds the broadcast, so the journeys are matched and entered once.
    const inserted = await trx
      .insertInto("broadcasts")
      .values({
        app_id: appId,
        id,
        event: toJson(event),
        status: "RUNNING",
        journeys: toJson([]),
        creation_ms: nowMs,
        completion_ms: null,
      })
      .onConflict((oc) => oc.columns(["app_id", "id"]).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
      const existing = await trx
        .selectFrom("broadcasts")
        .select("event")
        .where("app_id", "=", appId)
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      if (!sameEvent(fromJson<BroadcastEvent>(existing.event), event)) {
        throw conflict(`Broadcast ${id} was already sent with a different event; use another Id for a new broadcast`);
      }
      return 0;
    }
    const journeys = (await activeJourneys(trx, appId, "BROADCAST")).filter((journey) =>
      isStartedBy(journey, event, nowMs),
    );
    for (const journey of journeys) await startRun(trx, journey, nowMs, { runId: id, broadcastId: id });
    await trx
      .updateTable("broadcasts")
      .set({
        journeys: toJson(journeys.map((journey) => journey.id)),
        ...(journeys.length === 0 ? { status: "DONE", completion_ms: nowMs } : {}),
      })
      .where("app_id", "=", appId)
      .where("id", "=", id)
      .execute();
    return journeys.length;
  });
  if (startedRuns > 0) services.wake.jobs();
  return getBroadcast(services, appId, id);
}

/** Whether the broadcast event starts this journey now: its filter matches and its schedule is open. */
function isStartedBy(journey: Journey, event: BroadcastEvent, nowMs: number): boolean {
  const definition = journey.definition;
  if (!fannedOutSegment(definition) || !isOpen(entryWindow(definition), nowMs)) return false;
  return matchesEventDimensions(eventTrigger(definition)?.dimensions, event);
}

function sameEvent(a: BroadcastEvent, b: BroadcastEvent): boolean {
  return canonical(a) === canonical(b);
}

/** The event as text with its maps' keys in order, so key order never makes two events differ. */
function canonical(event: BroadcastEvent): string {
  const sorted = (map: Record<string, unknown> = {}) => Object.fromEntries(Object.entries(map).sort());
  return JSON.stringify([event.EventType, sorted(event.Attributes), sorted(event.Metrics)]);
}
