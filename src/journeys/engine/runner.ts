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

export class JourneyRunner extends BackgroundLoop {
  constructor(
    private readonly services: Services,
    log: Logger,
  ) {
    super(services.config.pollIntervalMs, log);
  }

  protected async round(): Promise<boolean> {
    return (await runDueParticipants(this.services, { limit: defaultBatchSize })) === defaultBatchSize;
  }
}
