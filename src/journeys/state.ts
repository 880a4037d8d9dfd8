/**
 * UpdateJourneyState: the moves between Pinpoint's journey states a request may make. ACTIVE
 * publishes a DRAFT (checked in full first) or resumes a PAUSED journey; PAUSED holds an ACTIVE
 * one; CANCELLED ends a DRAFT, ACTIVE or PAUSED journey for good. COMPLETED and CLOSED are
 * Waymark's to set, when a journey has run its course. Asking for the state a journey is already
 * in changes nothing, so a retried request is harmless.
 */
import type { JourneyResponse, JourneyStateRequest } from "@aws-sdk/client-pinpoint";
import { badRequest, conflict } from "../api/errors.js";
import type { Services } from "../services.js";
import { commitJourney } from "./commit.js";
import type { JourneyState } from "./model.js";
import { requireJourney } from "./queries.js";
import { checkReferences } from "./references.js";
import { toJourneyResponse } from "./response.js";
import { checkDefinition } from "./validate.js";

/** The states a request may ask for, and the states each may be reached from. */
const allowedFrom: Record<string, JourneyState[]> = {
  ACTIVE: ["DRAFT", "PAUSED"],
  PAUSED: ["ACTIVE"],
  CANCELLED: ["DRAFT", "ACTIVE", "PAUSED"],
};

/**
 * The state a journey in `current` moves to when `requested` is asked for; throws Pinpoint's 400
 * for a state no request may set and its 409 for a move the current state does not allow.
 * @example nextState("PAUSED", "ACTIVE") // "ACTIVE"
 * @example nextState("CANCELLED", "ACTIVE") // throws ConflictException
 */
export function nextState(current: JourneyState, requested: string | undefined): JourneyState {
  const from = requested === undefined ? undefined : allowedFrom[requested];
  if (!from) {
    throw badRequest(
      `State must be ACTIVE, PAUSED or CANCELLED, not '${String(requested)}'; COMPLETED and CLOSED are set by Waymark when a journey ends`,
    );
  }
  if (requested === current) return current;
  if (current === "CANCELLED") throw conflict("The journey was cancelled: a cancelled journey never restarts");
  if (!from.includes(current)) throw conflict(`A ${current} journey cannot become ${requested}`);
  return requested as JourneyState;
}

/** UpdateJourneyState. @example await updateJourneyState(services, appId, journeyId, { State: "PAUSED" }) */
export async function updateJourneyState(
  services: Services,
  appId: string,
  journeyId: string,
  request: JourneyStateRequest,
): Promise<JourneyResponse> {
  const current = await requireJourney(services.store.db, appId, journeyId);
  const state = nextState(current.state, request.State as string | undefined);
  if (state === current.state) return toJourneyResponse(current);
  if (current.state === "DRAFT" && state === "ACTIVE") {
    checkDefinition(current.definition, true);
    await checkReferences(services, appId, current.definition);
  }
  const next = await commitJourney(services, current, (latest, nowMs) => ({
    ...latest,
    state,
    activatedMs: latest.activatedMs ?? (state === "ACTIVE" ? nowMs : undefined),
  }));
  return toJourneyResponse(next);
}
