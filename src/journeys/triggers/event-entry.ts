/**
 * Event entry: an accepted event that matches an ACTIVE event journey's EventFilter enters its
 * endpoint, in the transaction that records the event (PutEvents for FilterType ENDPOINT,
 * recordSystemEvents for SYSTEM). The engine checks the entry afterwards (segment, caps, re-entry).
 *
 * PutEvents must stay fast (≥ 10,000 events/s), so each app's active event journeys are kept in
 * memory: an app with none costs a map lookup per batch. This process forgets an app's list when
 * one of its journeys changes state (lifecycle.ts), and again once a deleted one's rows are gone
 * (delete.ts); other processes notice within `eventJourneyCacheMs`. An entry written by a process
 * that had not yet noticed a cancel or close is ended by the scheduler's sweep of ended journeys
 * (check-journey.ts); one into a journey deleted meanwhile is never taken up (the engine only
 * claims participants of ACTIVE journeys).
 */
import type { Event, EventDimensions } from "@aws-sdk/client-pinpoint";
import type { Kysely } from "kysely";
import type { Services } from "../../services.js";
import type { Database } from "../../store/index.js";
import { matchesEventDimensions } from "../conditions/event-dimensions.js";
import { toJourney } from "../model.js";
import { type Entrant, insertEntrants } from "../participants.js";
import { type EntryWindow, entryWindow, eventTrigger, isOpen } from "./start-condition.js";

/** How long another process's change of an event journey can take to reach this process. */
export const eventJourneyCacheMs = 1000;

/** An event as it is recorded: whose it is and its id (unique per endpoint). */
export interface RecordedEvent {
  endpointId: string;
  eventId: string;
  event: Pick<Event, "EventType" | "Attributes" | "Metrics">;
}

interface EventJourney {
  journeyId: string;
  runId: string;
  filterType: string;
  dimensions?: EventDimensions;
  window: EntryWindow;
}

interface AppJourneys {
  journeys: EventJourney[];
  loadedMs: number;
}

interface Cache {
  apps: Map<string, AppJourneys>;
  /** Bumped by each forget, so a load that began before it is not kept. */
  generation: Map<string, number>;
}

// Per Services, not per module: tests run several servers, each over its own database, in one process.
const caches = new WeakMap<Services, Cache>();

function cacheOf(services: Services): Cache {
  let cache = caches.get(services);
  if (!cache) {
    cache = { apps: new Map(), generation: new Map() };
    caches.set(services, cache);
  }
  return cache;
}

/** Drops this process's list of the app's event journeys (a journey was published, paused, cancelled...). */
export function forgetEventJourneys(services: Services, appId: string): void {
  const cache = cacheOf(services);
  cache.apps.delete(appId);
  cache.generation.set(appId, (cache.generation.get(appId) ?? 0) + 1);
}

/**
 * Enters the endpoints of the events that match an active event journey listening to `source`,
 * in the caller's transaction; answers how many entries were new (wake the journeys after commit).
 * A retried event (same endpoint and event id) enters nobody twice.
 * @example const entered = await enterEventJourneys(trx, services, appId, events, "ENDPOINT");
 */
export async function enterEventJourneys(
  db: Kysely<Database>,
  services: Services,
  appId: string,
  events: RecordedEvent[],
  source: "ENDPOINT" | "SYSTEM",
): Promise<number> {
  if (events.length === 0) return 0;
  const journeys = await activeEventJourneys(db, services, appId);
  if (journeys.length === 0) return 0;
  const nowMs = services.clock.now();
  const listening = journeys.filter((j) => j.filterType === source && isOpen(j.window, nowMs));
  const entrants: Entrant[] = [];
  for (const { endpointId, eventId, event } of events) {
    const trigger = { EventType: event.EventType ?? "", Attributes: event.Attributes, Metrics: event.Metrics };
    for (const journey of listening) {
      if (!matchesEventDimensions(journey.dimensions, trigger)) continue;
      entrants.push({
        appId,
        journeyId: journey.journeyId,
        runId: journey.runId,
        endpointId,
        entryKey: `event:${endpointId}:${eventId}`,
        triggerEvent: trigger,
      });
    }
  }
  return entrants.length === 0 ? 0 : insertEntrants(db, entrants, nowMs);
}

async function activeEventJourneys(db: Kysely<Database>, services: Services, appId: string): Promise<EventJourney[]> {
  const cache = cacheOf(services);
  const cached = cache.apps.get(appId);
  if (cached && Date.now() - cached.loadedMs < eventJourneyCacheMs) return cached.journeys;
  const generation = cache.generation.get(appId) ?? 0;
  const loadedMs = Date.now();
  const journeys = await loadEventJourneys(db, appId);
  if ((cache.generation.get(appId) ?? 0) === generation) cache.apps.set(appId, { journeys, loadedMs });
  return journeys;
}

/** The app's ACTIVE event journeys with their event run: one indexed read. */
async function loadEventJourneys(db: Kysely<Database>, appId: string): Promise<EventJourney[]> {
  const rows = await db
    .selectFrom("journeys")
    .innerJoin("journey_runs", (join) =>
      join.onRef("journey_runs.app_id", "=", "journeys.app_id").onRef("journey_runs.journey_id", "=", "journeys.id"),
    )
    .selectAll("journeys")
    .select("journey_runs.run_id")
    .where("journeys.state", "=", "ACTIVE")
    .where("journeys.trigger", "=", "EVENT")
    .where("journeys.app_id", "=", appId)
    .where("journey_runs.status", "=", "RUNNING")
    .execute();
  return rows.map((row) => {
    const journey = toJourney(row);
    const trigger = eventTrigger(journey.definition);
    return {
      journeyId: journey.id,
      runId: row.run_id,
      filterType: trigger?.filterType ?? "ENDPOINT",
      dimensions: trigger?.dimensions,
      window: entryWindow(journey.definition),
    };
  });
}
