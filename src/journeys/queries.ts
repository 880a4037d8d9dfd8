/**
 * Journey rows in and out of the store: read (and hold for a change), insert, save, list a page,
 * delete with everything that hangs off the journey. Each takes the Kysely handle to use, so the
 * API runs them inside its transactions and the engine and triggers inside theirs.
 */
import type { Kysely } from "kysely";
import { notFound } from "../api/errors.js";
import { createdAfter, type Page } from "../paging.js";
import { type Database, type StoreDialect, toJson } from "../store/index.js";
import { type Journey, type JourneyTrigger, toJourney } from "./model.js";

/**
 * The journey, or undefined. With `lockFor` (the store's dialect) the row is also held until the
 * transaction `db` belongs to ends, where the database can (FOR UPDATE on PostgreSQL; SQLite's one
 * writer already excludes everyone): for a read that a write in the same transaction relies on.
 * @example const journey = await readJourney(trx, appId, journeyId, { lockFor: services.store.dialect });
 */
export async function readJourney(
  db: Kysely<Database>,
  appId: string,
  journeyId: string,
  options: { lockFor?: StoreDialect } = {},
): Promise<Journey | undefined> {
  const row = await db
    .selectFrom("journeys")
    .selectAll()
    .where("app_id", "=", appId)
    .where("id", "=", journeyId)
    .$if(options.lockFor?.supportsSkipLocked === true, (q) => q.forUpdate())
    .executeTakeFirst();
  return row ? toJourney(row) : undefined;
}

/** The journey, or Pinpoint's 404. @example const journey = await requireJourney(db, appId, journeyId); */
export async function requireJourney(
  db: Kysely<Database>,
  appId: string,
  journeyId: string,
  options: { lockFor?: StoreDialect } = {},
): Promise<Journey> {
  const journey = await readJourney(db, appId, journeyId, options);
  if (!journey) throw notFound(`Journey not found: ${journeyId}`);
  return journey;
}

/** The app's ACTIVE journeys entered by this kind of trigger. @example await activeJourneys(db, appId, "BROADCAST") */
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
  if (page.after) query = query.where(createdAfter(page.after));
  return (await query.execute()).map(toJourney);
}

/** Deletes the journey with its participants, runs and metric counters. */
export async function deleteJourneyRows(db: Kysely<Database>, appId: string, journeyId: string): Promise<void> {
  await db.deleteFrom("journey_participants").where("journey_id", "=", journeyId).where("app_id", "=", appId).execute();
  await db.deleteFrom("journey_runs").where("journey_id", "=", journeyId).where("app_id", "=", appId).execute();
  await db.deleteFrom("journey_metrics").where("journey_id", "=", journeyId).where("app_id", "=", appId).execute();
  await db.deleteFrom("journeys").where("id", "=", journeyId).where("app_id", "=", appId).execute();
}
