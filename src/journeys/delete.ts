/** DeleteJourney. */
import type { JourneyResponse } from "@aws-sdk/client-pinpoint";
import type { Services } from "../services.js";
import { journeyStateChanged } from "./lifecycle.js";
import { deleteJourneyRows, requireJourney } from "./queries.js";
import { toJourneyResponse } from "./response.js";
import { forgetEventJourneys } from "./triggers/event-entry.js";

/**
 * DeleteJourney, in any state: the journey goes with its participants, runs and metrics, so the
 * engine finds nobody left to move; a live one is cancelled on the way. Answers the journey as it was.
 * @example await deleteJourney(services, appId, journeyId)
 */
export async function deleteJourney(services: Services, appId: string, journeyId: string): Promise<JourneyResponse> {
  const { db, dialect } = services.store;
  const deleted = await db.transaction().execute(async (trx) => {
    const journey = await requireJourney(trx, appId, journeyId, { lockFor: dialect });
    // A live journey is cancelled first, so whatever the lifecycle keeps about it (cached event
    // journeys, a broadcast's progress) lets go of it as it would for a cancel.
    if (journey.state === "ACTIVE" || journey.state === "PAUSED") {
      await journeyStateChanged(trx, services, { ...journey, state: "CANCELLED" }, journey.state);
    }
    await deleteJourneyRows(trx, appId, journeyId);
    return journey;
  });
  // Once more now that the rows are gone: an event may have read the app's event journeys while the
  // delete was under way and still found this one ACTIVE. Nothing would end an entry into a journey
  // that no longer exists (the scheduler's sweep looks at journeys that are there).
  forgetEventJourneys(services, appId);
  return toJourneyResponse(deleted);
}
