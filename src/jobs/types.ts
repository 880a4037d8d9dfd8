import type { FastifyBaseLogger as Logger } from "fastify";
import type { Services } from "../services.js";

export interface JobRow {
  id: number;
  task: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

export interface TaskHelpers {
  services: Services;
  job: JobRow;
  log: Logger;
  /** Extends the job's lease; long tasks call it as they progress so no other worker takes the job over. */
  heartbeat(): Promise<void>;
  /** Set when the worker is stopping: a long task saves its progress and returns early, to be resumed. */
  signal: AbortSignal;
}

/** A task returns when done and throws to be retried with backoff, as graphile-worker's do. */
export type Task = (payload: unknown, helpers: TaskHelpers) => Promise<void>;
