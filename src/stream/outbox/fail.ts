import type { Kysely } from "kysely";
import { retryDelayMs } from "../../jobs/fail-job.js";
import type { Database } from "../../store/index.js";
import type { OutboxRow } from "./claim.js";

/**
 * Schedules failed records for another attempt with exponential backoff (the jobs queue's policy),
 * keeping the reason in `last_error`. Records are never dropped: an operator sees the error and
 * fixes the destination. A row whose lease another process has taken over since is left to it.
 */
export async function failRecords(
  db: Kysely<Database>,
  rows: OutboxRow[],
  error: string,
  now = Date.now(),
): Promise<void> {
  // Rows claimed together share attempts and lease almost always: usually a single UPDATE.
  const byClaim = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const key = `${row.attempts}:${row.next_attempt_ms}`;
    const group = byClaim.get(key);
    if (group) group.push(row);
    else byClaim.set(key, [row]);
  }
  for (const group of byClaim.values()) {
    const { attempts, next_attempt_ms: lease } = group[0];
    await db
      .updateTable("stream_outbox")
      .set({ next_attempt_ms: now + retryDelayMs(attempts), last_error: error.slice(0, 2000) })
      .where(
        "id",
        "in",
        group.map((row) => row.id),
      )
      .where("next_attempt_ms", "=", lease)
      .execute();
  }
}
