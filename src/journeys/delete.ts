/** DeleteJourney. */
import type { JourneyResponse } from "@aws-sdk/client-pinpoint";
import { notFound } from "../api/errors.js";
import type { Services } from "../services.js";
import { toJourneyResponse } from "./response.js";
import { deleteJourneyRows, lockJourney } from "./rows.js";

/**
 * DeleteJourney, in any state: the journey goes with its participants, runs and metrics, so the
 * engine finds nobody left to move. Answers the journey as it was.
 */
export async function deleteJourney(services: Services, appId: string, journeyId: string): Promise<JourneyResponse> {
  const { db, dialect } = services.store;
  const deleted = await db.transaction().execute(async (trx) => {
    const journey = await lockJourney(trx, dialect, appId, journeyId);
    if (!journey) throw notFound(`Journey not found: ${journeyId}`);
    await deleteJourneyRows(trx, appId, journeyId);
    return journey;
  });
  return toJourneyResponse(deleted);
}
