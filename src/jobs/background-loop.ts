/**
 * The shape every background loop shares (the jobs worker, event stream delivery, message
 * delivery): run a round of work, and when a round finds nothing, sleep until nudged (work added
 * in this process) or until the poll interval passes (work added by another process, or a retry
 * coming due). An idle server does nothing but those timers. A nudge that arrives during a round
 * is remembered, so the loop never sleeps through work that was just added.
 */
import type { FastifyBaseLogger as Logger } from "fastify";

export abstract class BackgroundLoop {
  private nudged = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  protected stopping = false;

  constructor(
    private readonly pollIntervalMs: number,
    protected readonly log: Logger,
  ) {}

  /**
   * One round of work; answers true when there may be more to do at once (a full batch), false to
   * sleep. A throw is logged and the loop sleeps before trying again.
   */
  protected abstract round(): Promise<boolean>;

  start(): void {
    this.loop ??= this.run();
  }

  /** There may be work now, rather than at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Finishes the round in progress and stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.nudge();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.nudged = false;
      let more = false;
      try {
        more = await this.round();
      } catch (error) {
        this.log.error({ err: error }, "background work failed; trying again after the poll interval");
      }
      if (!more) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    if (this.nudged || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollIntervalMs);
      const loop = this;
      function done() {
        clearTimeout(timer);
        loop.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}
