/** Reading journeys, for the API, the engine and the triggers. */
import type { Kysely } from "kysely";
import { notFound } from "../api/errors.js";
import type { Database } from "../store/index.js";
import { type Journey, type JourneyTrigger, toJourney } from "./model.js";

export async function readJourney(
  db: Kysely<Database>,
  appId: string,
  journeyId: string,
): Promise<Journey | undefined> {
  const row = await db
    .selectFrom("journeys")
    .selectAll()
    .where("app_id", "=", appId)
    .where("id", "=", journeyId)
    .executeTakeFirst();
  return row ? toJourney(row) : undefined;
}

/** The journey, or Pinpoint's 404. */
export async function requireJourney(db: Kysely<Database>, appId: string, journeyId: string): Promise<Journey> {
  const journey = await readJourney(db, appId, journeyId);
  if (!journey) throw notFound(`Journey not found: ${journeyId}`);
  return journey;
}

/** The app's ACTIVE journeys entered by this kind of trigger. */
export async function activeJourneys(db: Kysely<Database>, appId: string, trigger: JourneyTrigger): Promise<Journey[]> {
  const rows = await db
    .selectFrom("journeys")
    .selectAll()
    .where("state", "=", "ACTIVE")
    .where("trigger", "=", trigger)
    .where("app_id", "=", appId)
    .execute();
  return rows.map(toJourney);
}
