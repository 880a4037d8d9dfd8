/** GetJourney and ListJourneys. */
import type { JourneyResponse } from "@aws-sdk/client-pinpoint";
import { requireApp } from "../apps/index.js";
import { nextToken, type Page } from "../paging.js";
import type { Services } from "../services.js";
import type { Journey } from "./model.js";
import { listJourneyRows, requireJourney } from "./queries.js";
import { toJourneyResponse } from "./response.js";

/** GetJourney, or Pinpoint's 404. @example await getJourney(services, appId, journeyId) */
export async function getJourney(services: Services, appId: string, journeyId: string): Promise<JourneyResponse> {
  return toJourneyResponse(await requireJourney(services.store.db, appId, journeyId));
}

/** ListJourneys: the app's journeys, oldest first. @example await listJourneys(services, appId, readPage("20", token)) */
export async function listJourneys(services: Services, appId: string, page: Page) {
  await requireApp(services, appId);
  const journeys = await listJourneyRows(services.store.db, appId, page);
  return {
    Item: journeys.map(toJourneyResponse),
    NextToken: nextToken(journeys, page, (journey: Journey) => [journey.creationDate, journey.id]),
  };
}
