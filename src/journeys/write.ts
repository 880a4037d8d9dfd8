/**
 * CreateJourney and UpdateJourney. A journey is saved as a DRAFT, which may be incomplete, or
 * published with State ACTIVE, which checks it in full. Once live (ACTIVE or PAUSED) its path
 * (Activities, StartActivity, StartCondition) is fixed: participants are somewhere on it. Finished
 * journeys (COMPLETED, CANCELLED, CLOSED) no longer change. Bad input changes nothing.
 */
import { randomUUID } from "node:crypto";
import type { JourneyResponse, WriteJourneyRequest } from "@aws-sdk/client-pinpoint";
import { badRequest, conflict } from "../api/errors.js";
import { requireApp } from "../apps/index.js";
import type { Services } from "../services.js";
import { commitJourney } from "./commit.js";
import { withWireSpelling } from "./conditions/segment-dimensions.js";
import { journeyStateChanged } from "./lifecycle.js";
import { type Journey, type JourneyDefinition, type JourneyState, journeyTrigger } from "./model.js";
import { insertJourney, requireJourney } from "./queries.js";
import { checkReferences } from "./references.js";
import { toJourneyResponse } from "./response.js";
import { checkDefinition } from "./validate.js";

/** The members of WriteJourneyRequest a journey keeps as its definition (State has its own column). */
const definitionMembers = [
  "Name",
  "StartCondition",
  "StartActivity",
  "Activities",
  "Limits",
  "LocalTime",
  "QuietTime",
  "WaitForQuietTime",
  "RefreshFrequency",
  "RefreshOnSegmentUpdate",
  "Schedule",
  "SendingSchedule",
  "OpenHours",
  "ClosedDays",
  "TimezoneEstimationMethods",
  "JourneyChannelSettings",
] as const satisfies ReadonlyArray<keyof JourneyDefinition>;

/** What a live journey's participants are walking along, which therefore cannot change under them. */
const livePath = ["Activities", "StartActivity", "StartCondition"] as const;

/**
 * The definition members the request gives, segment dimensions spelt as on the wire; anything
 * else in the body is not kept.
 */
function givenDefinition(request: WriteJourneyRequest): Partial<JourneyDefinition> {
  const given: Record<string, unknown> = {};
  for (const name of definitionMembers) {
    if (request[name] !== undefined && request[name] !== null) given[name] = request[name];
  }
  return withWireSpelling(given as Partial<JourneyDefinition>);
}

/** State in a Create or Update: DRAFT saves, ACTIVE publishes; the others belong to UpdateJourneyState. */
function requestedState(request: WriteJourneyRequest, current?: JourneyState): JourneyState | undefined {
  const state = request.State as string | undefined;
  if (state === undefined || state === null || state === current) return undefined;
  if (state !== "DRAFT" && state !== "ACTIVE") {
    throw badRequest(
      `State ${state} cannot be set here: CreateJourney and UpdateJourney take DRAFT or ACTIVE; pause and cancel with UpdateJourneyState`,
    );
  }
  return state;
}

/** Checks the definition (in full when it is to be live) and the templates and segments it names. */
async function acceptDefinition(
  services: Services,
  appId: string,
  definition: JourneyDefinition,
  named: Partial<JourneyDefinition>,
  live: boolean,
): Promise<void> {
  checkDefinition(definition, live);
  await checkReferences(services, appId, live ? definition : named);
}

/** JSON equality regardless of key order, to tell a resent definition part from a changed one. */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== undefined && item !== null)
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([key, item]) => [key, canonical(item)]),
    );
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/**
 * CreateJourney: a DRAFT, or a published journey when State is ACTIVE.
 * @example await createJourney(services, appId, { Name: "Welcome", State: "DRAFT" })
 */
export async function createJourney(
  services: Services,
  appId: string,
  request: WriteJourneyRequest,
): Promise<JourneyResponse> {
  await requireApp(services, appId);
  const state = requestedState(request) ?? "DRAFT";
  const definition = givenDefinition(request) as JourneyDefinition;
  await acceptDefinition(services, appId, definition, definition, state !== "DRAFT");
  const nowMs = services.clock.now();
  const now = new Date(nowMs).toISOString();
  const journey: Journey = {
    appId,
    id: randomUUID().replaceAll("-", ""),
    name: definition.Name ?? "",
    state,
    trigger: journeyTrigger(definition),
    definition,
    version: 1,
    creationDate: now,
    lastModifiedDate: now,
    tags: {},
    activatedMs: state === "ACTIVE" ? nowMs : undefined,
  };
  await services.store.db.transaction().execute(async (trx) => {
    await insertJourney(trx, journey);
    await journeyStateChanged(trx, services, journey, undefined);
  });
  if (state !== "DRAFT") services.wake.journeys();
  return toJourneyResponse(journey);
}

/**
 * UpdateJourney: the members the request gives replace the journey's own; the rest stay. State
 * ACTIVE publishes a DRAFT (or resumes a PAUSED journey). Each update is a new version.
 * @example await updateJourney(services, appId, journeyId, { Name: "Launch", State: "ACTIVE" })
 */
export async function updateJourney(
  services: Services,
  appId: string,
  journeyId: string,
  request: WriteJourneyRequest,
): Promise<JourneyResponse> {
  const current = await requireJourney(services.store.db, appId, journeyId);
  if (current.state === "COMPLETED" || current.state === "CANCELLED" || current.state === "CLOSED") {
    throw conflict(`Journey ${journeyId} is ${current.state}: it can no longer be changed`);
  }
  const requested = requestedState(request, current.state);
  if (requested === "DRAFT")
    throw conflict(`Journey ${journeyId} is ${current.state}: a published journey cannot return to DRAFT`);
  const state = requested ?? current.state;
  const given = givenDefinition(request);
  if (current.state !== "DRAFT") {
    for (const name of livePath) {
      if (given[name] !== undefined && !sameJson(given[name], current.definition[name])) {
        throw conflict(
          `Journey ${journeyId} is ${current.state}: its ${name} cannot change while participants may be on it`,
        );
      }
    }
  }
  const definition = { ...current.definition, ...given } as JourneyDefinition;
  await acceptDefinition(services, appId, definition, given, state !== "DRAFT");
  const next = await commitJourney(services, current, (latest, nowMs) => ({
    ...latest,
    state,
    definition,
    name: definition.Name ?? latest.name,
    trigger: journeyTrigger(definition),
    version: latest.version + 1,
    activatedMs: latest.activatedMs ?? (state === "ACTIVE" ? nowMs : undefined),
  }));
  return toJourneyResponse(next);
}
