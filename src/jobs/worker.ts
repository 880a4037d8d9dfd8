/**
 * Runs tasks from the jobs table, a few at a time, each under a lease it renews with heartbeats.
 */
import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger as Logger } from "fastify";
import type { Services } from "../services.js";
import { BackgroundLoop } from "./background-loop.js";
import { completeJob } from "./complete-job.js";
import { failJob } from "./fail-job.js";
import { getJobs } from "./get-jobs.js";
import { heartbeatJob } from "./heartbeat-job.js";
import type { JobRow, Task } from "./types.js";

export interface WorkerOptions {
  tasks: Record<string, Task>;
  concurrency?: number;
  /** How long a claimed job may go without a heartbeat before another worker may take it. */
  leaseMs?: number;
}

export class Worker extends BackgroundLoop {
  readonly id = `worker-${randomUUID()}`;
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly services: Services,
    private readonly options: WorkerOptions,
    log: Logger,
  ) {
    super(services.config.pollIntervalMs, log);
  }

  /** Stops claiming, asks running tasks to save their progress, and waits for them. */
  override async stop(): Promise<void> {
    this.abort.abort();
    await super.stop();
    await Promise.allSettled(this.running);
  }

  protected async round(): Promise<boolean> {
    const concurrency = this.options.concurrency ?? 4;
    const free = concurrency - this.running.size;
    if (free <= 0) return false;
    const claimed = await getJobs(this.services.store.db, this.services.store.dialect, {
      workerId: this.id,
      limit: free,
      leaseMs: this.leaseMs,
    });
    for (const job of claimed) {
      const execution = this.execute(job).finally(() => {
        this.running.delete(execution);
        this.nudge();
      });
      this.running.add(execution);
    }
    return claimed.length > 0 && this.running.size < concurrency;
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 60_000;
  }

  private async execute(job: JobRow): Promise<void> {
    const { db } = this.services.store;
    const log = this.log.child({ job: job.id, task: job.task });
    const task = this.options.tasks[job.task];
    try {
      if (!task) throw new Error(`no task named ${job.task}`);
      await task(job.payload, {
        services: this.services,
        job,
        log,
        signal: this.abort.signal,
        heartbeat: () => heartbeatJob(db, job.id, this.id),
      });
      if (this.abort.signal.aborted) {
        // Stopped part-way: release the job at once so the next start resumes it.
        await failJob(db, { id: job.id, attempts: 0 }, this.id, "worker stopped", Date.now() - 1000);
      } else {
        await completeJob(db, job.id, this.id);
      }
    } catch (error) {
      log.warn({ err: error, attempts: job.attempts }, "job failed; will retry");
      await failJob(db, job, this.id, error instanceof Error ? error.message : String(error)).catch((e) =>
        log.error({ err: e }, "could not record job failure"),
      );
    }
  }
}
