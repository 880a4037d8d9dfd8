import type { Kysely } from "kysely";
import type { Database } from "../../store/index.js";

/**
 * Puts messages held back by the sender's rate limit back in the queue, without counting the
 * attempt: waiting for the rate is not a failure, so it never uses up a message's retries.
 */
export async function requeueHeld(db: Kysely<Database>, ids: string[], notBeforeMs: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable("messages")
    .set((eb) => ({
      status: "QUEUED",
      attempts: eb("attempts", "-", 1),
      next_attempt_ms: notBeforeMs,
      updated_ms: Date.now(),
    }))
    .where("id", "in", ids)
    .execute();
}

/**
 * Puts messages a dead process was sending back in the queue, for one last attempt, when their
 * provider can show it never got them (the sandbox can: it records what it accepts in the same
 * database). Sending them again cannot make a duplicate, and not sending them would lose them.
 */
export async function requeueUnsent(db: Kysely<Database>, ids: string[], now = Date.now()): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable("messages")
    .set((eb) => ({
      status: "QUEUED",
      attempts: eb("max_attempts", "-", 1),
      next_attempt_ms: now,
      updated_ms: now,
    }))
    .where("id", "in", ids)
    .where("status", "=", "SENDING")
    .execute();
}
