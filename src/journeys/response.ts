/** A journey as Pinpoint answers it (JourneyResponse), and its ARN for the tagging operations. */
import type { JourneyResponse } from "@aws-sdk/client-pinpoint";
import { appArn } from "../apps/index.js";
import type { Config } from "../config.js";
import type { Journey } from "./model.js";

/** @example journeyArn(config, appId, journeyId) // "arn:aws:mobiletargeting:us-east-1:000000000000:apps/<app>/journeys/<id>" */
export function journeyArn(config: Pick<Config, "region" | "accountId">, appId: string, journeyId: string): string {
  return `${appArn(config, appId)}/journeys/${journeyId}`;
}

/** The stored definition with the journey's identity, state, dates and tags. */
export function toJourneyResponse(journey: Journey): JourneyResponse {
  return {
    ...journey.definition,
    ApplicationId: journey.appId,
    Id: journey.id,
    Name: journey.name,
    State: journey.state,
    CreationDate: journey.creationDate,
    LastModifiedDate: journey.lastModifiedDate,
    tags: journey.tags,
  };
}
