import { type Kysely, sql } from "kysely";
import type { Database, StoreDialect } from "../../store/index.js";
import { type Participant, toParticipant } from "../model.js";

/**
 * Takes the participants whose wake time has come (entries to check, waits that are over, splits
 * to evaluate, messages held back), earliest first, in the caller's transaction: the batch writes
 * what it did to them in that same transaction. Participants of journeys that are not ACTIVE
 * (paused, closed) are left where they are, so pausing stops a journey at once and resuming picks
 * every participant up where it was. On PostgreSQL the rows stay locked until the batch commits
 * and other processes skip them (`FOR UPDATE SKIP LOCKED`); SQLite has one writer.
 * @example const due = await claimDueParticipants(trx, dialect, clock.now(), 1000);
 */
export async function claimDueParticipants(
  trx: Kysely<Database>,
  dialect: StoreDialect,
  nowMs: number,
  limit: number,
): Promise<Participant[]> {
  const rows = await trx
    .selectFrom("journey_participants as p")
    .selectAll("p")
    // Repeats the due index's condition so both databases pick that partial index.
    .where("p.wake_ms", "is not", null)
    .where("p.wake_ms", "<=", nowMs)
    .where("p.status", "in", ["ENTERING", "ACTIVE"])
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom("journeys as j")
          .select(sql`1`.as("one"))
          .whereRef("j.app_id", "=", "p.app_id")
          .whereRef("j.id", "=", "p.journey_id")
          .where("j.state", "=", "ACTIVE"),
      ),
    )
    .orderBy("p.wake_ms")
    .limit(limit)
    .$if(dialect.supportsSkipLocked, (q) => q.forUpdate().skipLocked())
    .execute();
  return rows.map(toParticipant);
}
