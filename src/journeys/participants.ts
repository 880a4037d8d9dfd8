/**
 * Entering a journey is writing ENTERING participant rows: a trigger (a segment run's page, a
 * PutEvents event, a broadcast's page) does only that, in its own transaction, and the engine
 * checks each entry (re-entry cap, already active, opt-out, segment filter) when it takes it up.
 * An entry key already there is not entered again, so a retried page or event enters nobody twice.
 */
import type { Kysely } from "kysely";
import { type Database, toJson } from "../store/index.js";
import type { TriggerEvent } from "./model.js";

export interface Entrant {
  appId: string;
  journeyId: string;
  runId: string;
  endpointId: string;
  /** Unique per journey: `run:<run id>:<endpoint id>`, `event:<endpoint id>:<event id>`... */
  entryKey: string;
  broadcastId?: string;
  triggerEvent?: TriggerEvent;
}

/** Inserts ENTERING rows due at `nowMs`, in the caller's transaction; answers how many were new. */
export async function insertEntrants(db: Kysely<Database>, entrants: Entrant[], nowMs: number): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < entrants.length; i += 1000) {
    const result = await db
      .insertInto("journey_participants")
      .values(
        entrants.slice(i, i + 1000).map((e) => ({
          app_id: e.appId,
          journey_id: e.journeyId,
          run_id: e.runId,
          endpoint_id: e.endpointId,
          entry_key: e.entryKey,
          status: "ENTERING",
          activity_id: "",
          step: 0,
          wake_ms: nowMs,
          entered_ms: nowMs,
          activity_entered_ms: nowMs,
          broadcast_id: e.broadcastId ?? null,
          trigger_event: e.triggerEvent ? toJson(e.triggerEvent) : null,
          messages: "{}",
          sent_total: 0,
          sent_day_start_ms: 0,
          sent_today: 0,
        })),
      )
      .onConflict((oc) => oc.columns(["journey_id", "entry_key"]).doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}
