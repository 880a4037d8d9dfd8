/**
 * Execution metric counters (Pinpoint's keys: ENDPOINT_ENTERED, SUCCESS, Branch_1...), per journey
 * run and activity; the journey's own metrics use activity "". Written in the transaction that did
 * what they count, so they never drift from the participants.
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "../store/index.js";

export interface MetricIncrement {
  appId: string;
  journeyId: string;
  runId: string;
  /** "" for journey-level metrics. */
  activityId: string;
  metric: string;
  by: number;
}

/** Adds the increments (summed per key first), in the caller's transaction. */
export async function addMetrics(db: Kysely<Database>, increments: MetricIncrement[], nowMs: number): Promise<void> {
  const summed = new Map<string, MetricIncrement>();
  for (const increment of increments) {
    if (increment.by === 0) continue;
    const key = `${increment.journeyId}\u0000${increment.runId}\u0000${increment.activityId}\u0000${increment.metric}`;
    const seen = summed.get(key);
    if (seen) seen.by += increment.by;
    else summed.set(key, { ...increment });
  }
  // In key order, so two transactions touching the same counters lock them in the same order.
  const rows = [...summed.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, i]) => i);
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto("journey_metrics")
      .values(
        rows.slice(i, i + 500).map((m) => ({
          app_id: m.appId,
          journey_id: m.journeyId,
          run_id: m.runId,
          activity_id: m.activityId,
          metric: m.metric,
          value: m.by,
          updated_ms: nowMs,
        })),
      )
      .onConflict((oc) =>
        oc.columns(["journey_id", "run_id", "activity_id", "metric"]).doUpdateSet({
          value: sql`journey_metrics.value + excluded.value`,
          updated_ms: sql`excluded.updated_ms`,
        }),
      )
      .execute();
  }
}
