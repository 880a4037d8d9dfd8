/**
 * A journey's runs as GetJourneyRuns lists them: one per segment evaluation (the first at
 * activation, one per refresh), one per broadcast, and the one run an event-started journey's
 * entries all go into. Newest first, a page at a time.
 */
import type { Kysely } from "kysely";
import { notFound } from "../api/errors.js";
import { nextToken, type Page } from "../paging.js";
import type { Services } from "../services.js";
import type { Database } from "../store/index.js";
import { requireJourney } from "./queries.js";

/** Throws Pinpoint's 404 unless the journey has this run. */
export async function requireRun(db: Kysely<Database>, appId: string, journeyId: string, runId: string): Promise<void> {
  const row = await db
    .selectFrom("journey_runs")
    .select("run_id")
    .where("journey_id", "=", journeyId)
    .where("run_id", "=", runId)
    .where("app_id", "=", appId)
    .executeTakeFirst();
  if (!row) throw notFound(`Journey ${journeyId} has no run ${runId}`);
}

/** GetJourneyRuns. @example await journeyRuns(services, appId, journeyId, readPage("20", undefined)) */
export async function journeyRuns(services: Services, appId: string, journeyId: string, page: Page) {
  const { db } = services.store;
  await requireJourney(db, appId, journeyId);
  let query = db
    .selectFrom("journey_runs")
    .select(["run_id", "status", "creation_ms", "last_update_ms"])
    .where("journey_id", "=", journeyId)
    .where("app_id", "=", appId)
    .orderBy("creation_ms", "desc")
    .orderBy("run_id", "desc")
    .limit(page.size);
  if (page.after) {
    const [creationMs, runId] = [Number(page.after[0]), page.after[1]];
    query = query.where((eb) =>
      eb.or([
        eb("creation_ms", "<", creationMs),
        eb.and([eb("creation_ms", "=", creationMs), eb("run_id", "<", runId)]),
      ]),
    );
  }
  const rows = await query.execute();
  return {
    Item: rows.map((row) => ({
      RunId: row.run_id,
      Status: row.status,
      CreationTime: new Date(row.creation_ms).toISOString(),
      LastUpdateTime: new Date(row.last_update_ms).toISOString(),
    })),
    NextToken: nextToken(rows, page, (row: (typeof rows)[number]) => [String(row.creation_ms), row.run_id]),
  };
}
