/**
 * The journey engine's loop: takes participants whose wake time has come (ENTERING ones first
 * checked for entry), moves each through its activities until it waits or leaves, and writes what
 * happened (participant rows, messages queued, metric counters) in the transaction that claimed
 * them (run-due.ts). A full batch means there may be more due: the loop goes straight on.
 */
import type { FastifyBaseLogger as Logger } from "fastify";
import { BackgroundLoop } from "../../jobs/background-loop.js";
import type { Services } from "../../services.js";
import { defaultBatchSize, runDueParticipants } from "./run-due.js";
import { setAsideDueParticipant } from "./set-aside.js";

/** How long a participant the engine failed on waits before it is tried again. */
const setAsideMs = 10 * 60_000;

export class JourneyRunner extends BackgroundLoop {
  constructor(
    private readonly services: Services,
    log: Logger,
  ) {
    super(services.config.pollIntervalMs, log);
  }

  protected async round(): Promise<boolean> {
    try {
      return (await runDueParticipants(this.services, { limit: defaultBatchSize })) === defaultBatchSize;
    } catch (error) {
      this.log.error({ err: error }, "a journey batch failed; running its participants one at a time");
      return this.isolateFailure();
    }
  }

  /**
   * Runs the due participants one by one, setting aside each one that fails, until a batch of one
   * succeeds: the failure was one participant's, or it was not (the database was away) and the
   * next round tries the whole batch again.
   */
  private async isolateFailure(): Promise<boolean> {
    for (let tried = 0; tried < defaultBatchSize; tried++) {
      try {
        return (await runDueParticipants(this.services, { limit: 1 })) === 1;
      } catch (error) {
        const id = await setAsideDueParticipant(this.services, setAsideMs);
        this.log.error({ err: error, participant: id }, "journey participant set aside after the engine failed on it");
      }
    }
    return true;
  }
}
