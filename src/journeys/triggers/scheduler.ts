/**
 * The journey scheduler's loop: looks at journeys whose next check has come (journeys.next_check_ms
 * <= the journey clock) and does what is due (check-journey.ts): starts segment runs (at StartTime,
 * at each RefreshFrequency), closes journeys at EndTime and marks runs and one-time journeys
 * COMPLETED when nobody is left and nobody can enter.
 *
 * Each journey is checked in its own transaction holding its row: on PostgreSQL `FOR UPDATE SKIP
 * LOCKED`, so several processes share the due journeys and never check one twice at once; SQLite
 * has one writer, so the transaction alone is exclusive.
 */
import type { FastifyBaseLogger as Logger } from "fastify";
import { BackgroundLoop } from "../../jobs/background-loop.js";
import type { Services } from "../../services.js";
import { toJourney } from "../model.js";
import { checkJourney, completionCheckMs } from "./check-journey.js";

/** Journeys looked at per round. */
const batchSize = 20;

export class JourneyScheduler extends BackgroundLoop {
  constructor(
    private readonly services: Services,
    log: Logger,
  ) {
    super(services.config.pollIntervalMs, log);
  }

  protected async round(): Promise<boolean> {
    const { db } = this.services.store;
    const nowMs = this.services.clock.now();
    const due = await db
      .selectFrom("journeys")
      .select(["app_id", "id"])
      .where("next_check_ms", "<=", nowMs)
      .orderBy("next_check_ms")
      .limit(batchSize)
      .execute();
    let startedRuns = 0;
    for (const { app_id, id } of due) {
      try {
        startedRuns += await this.check(app_id, id, nowMs);
      } catch (error) {
        this.log.error({ err: error, appId: app_id, journeyId: id }, "journey check failed; trying again later");
        await db
          .updateTable("journeys")
          .set({ next_check_ms: nowMs + completionCheckMs })
          .where("app_id", "=", app_id)
          .where("id", "=", id)
          .execute();
      }
    }
    if (startedRuns > 0) this.services.wake.jobs();
    return due.length === batchSize;
  }

  /** Checks one journey, unless another process holds it or has checked it since; answers runs started. */
  private async check(appId: string, journeyId: string, nowMs: number): Promise<number> {
    const { db, dialect } = this.services.store;
    return db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("journeys")
        .selectAll()
        .where("app_id", "=", appId)
        .where("id", "=", journeyId)
        .where("next_check_ms", "<=", nowMs)
        .$if(dialect.supportsSkipLocked, (q) => q.forUpdate().skipLocked())
        .executeTakeFirst();
      if (!row) return 0;
      const outcome = await checkJourney(trx, this.services, toJourney(row), nowMs);
      await trx
        .updateTable("journeys")
        .set({ next_check_ms: outcome.nextCheckMs })
        .where("app_id", "=", appId)
        .where("id", "=", journeyId)
        .execute();
      return outcome.startedRuns;
    });
  }
}
