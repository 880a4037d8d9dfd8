/**
 * Journey rows in and out of the store for the journey API: insert, lock for a change, save,
 * list a page, delete with everything that hangs off the journey. Each takes the Kysely handle to
 * use, so the API runs them inside its transactions. (queries.ts reads journeys for everyone.)
 */
import type { Kysely } from "kysely";
import type { Page } from "../paging.js";
import { type Database, type StoreDialect, toJson } from "../store/index.js";
import { type Journey, toJourney } from "./model.js";

function columns(journey: Journey) {
  return {
    name: journey.name,
    state: journey.state,
    trigger: journey.trigger,
    definition: toJson(journey.definition),
    version: journey.version,
    last_modified_date: journey.lastModifiedDate,
    activated_ms: journey.activatedMs ?? null,
  };
}

export async function insertJourney(db: Kysely<Database>, journey: Journey): Promise<void> {
  await db
    .insertInto("journeys")
    .values({
      app_id: journey.appId,
      id: journey.id,
      creation_date: journey.creationDate,
      tags: toJson(journey.tags),
      next_check_ms: null,
      ...columns(journey),
    })
    .execute();
}

/** The journey, its row held for the transaction where the database can (PostgreSQL). */
export async function lockJourney(
  db: Kysely<Database>,
  dialect: StoreDialect,
  appId: string,
  journeyId: string,
): Promise<Journey | undefined> {
  const row = await db
    .selectFrom("journeys")
    .selectAll()
    .where("app_id", "=", appId)
    .where("id", "=", journeyId)
    .$if(dialect.supportsSkipLocked, (q) => q.forUpdate())
    .executeTakeFirst();
  return row ? toJourney(row) : undefined;
}

/**
 * Writes the journey's definition, state and dates; its tags (TagResource's) and next_check_ms
 * (the scheduler's) are left alone.
 */
export async function saveJourney(db: Kysely<Database>, journey: Journey): Promise<void> {
  await db
    .updateTable("journeys")
    .set(columns(journey))
    .where("app_id", "=", journey.appId)
    .where("id", "=", journey.id)
    .execute();
}

/** The app's journeys in creation order, a page at a time. */
export async function listJourneyRows(db: Kysely<Database>, appId: string, page: Page): Promise<Journey[]> {
  let query = db
    .selectFrom("journeys")
    .selectAll()
    .where("app_id", "=", appId)
    .orderBy("creation_date")
    .orderBy("id")
    .limit(page.size);
  if (page.after) {
    const [date, id] = page.after;
    query = query.where((eb) =>
      eb.or([eb("creation_date", ">", date), eb.and([eb("creation_date", "=", date), eb("id", ">", id)])]),
    );
  }
  return (await query.execute()).map(toJourney);
}

/** Deletes the journey with its participants, runs and metric counters. */
export async function deleteJourneyRows(db: Kysely<Database>, appId: string, journeyId: string): Promise<void> {
  await db.deleteFrom("journey_participants").where("journey_id", "=", journeyId).where("app_id", "=", appId).execute();
  await db.deleteFrom("journey_runs").where("journey_id", "=", journeyId).where("app_id", "=", appId).execute();
  await db.deleteFrom("journey_metrics").where("journey_id", "=", journeyId).where("app_id", "=", appId).execute();
  await db.deleteFrom("journeys").where("id", "=", journeyId).where("app_id", "=", appId).execute();
}
