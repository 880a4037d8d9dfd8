/**
 * Runs tasks from the jobs table. It sleeps until nudged (a job added in this process) or until
 * the poll interval passes (a job added by another process, or a retry coming due), so an idle
 * server does nothing but that one timer.
 */
import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger as Logger } from "fastify";
import type { Services } from "../services.js";
import { completeJob } from "./complete-job.js";
import { failJob } from "./fail-job.js";
import { getJobs } from "./get-jobs.js";
import { heartbeatJob } from "./heartbeat-job.js";
import { IdleTimer } from "./idle-timer.js";
import type { JobRow, Task } from "./types.js";

export interface WorkerOptions {
  tasks: Record<string, Task>;
  concurrency?: number;
  /** How long a claimed job may go without a heartbeat before another worker may take it. */
  leaseMs?: number;
}

export class Worker {
  readonly id = `worker-${randomUUID()}`;
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly idle: IdleTimer;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly services: Services,
    private readonly options: WorkerOptions,
    private readonly log: Logger,
  ) {
    this.idle = new IdleTimer(services.config.pollIntervalMs);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Tells the worker there may be work now, instead of at its next poll. */
  nudge(): void {
    this.idle.nudge();
  }

  /** Stops claiming, asks running tasks to save their progress, and waits for them. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.nudge();
    await this.loop;
    await Promise.allSettled(this.running);
  }

  private async run(): Promise<void> {
    const concurrency = this.options.concurrency ?? 4;
    while (!this.abort.signal.aborted) {
      const free = concurrency - this.running.size;
      let claimed: JobRow[] = [];
      this.idle.reset();
      if (free > 0) {
        try {
          claimed = await getJobs(this.services.store.db, this.services.store.dialect, {
            workerId: this.id,
            limit: free,
            leaseMs: this.leaseMs,
          });
        } catch (error) {
          this.log.error({ err: error }, "claiming jobs failed");
        }
      }
      for (const job of claimed) {
        const execution = this.execute(job).finally(() => {
          this.running.delete(execution);
          this.nudge();
        });
        this.running.add(execution);
      }
      if (claimed.length === 0 || this.running.size >= concurrency) await this.idle.wait();
    }
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
