/**
 * Import and export jobs as rows of transfer_jobs: the status and counters Pinpoint reports, the
 * first failures, and the checkpoint a resumed run starts from. Every function takes the Kysely
 * handle to use, so a job's progress is saved in the same transaction as the work it describes.
 */
import type { Kysely, Selectable } from "kysely";
import { notFound } from "../api/errors.js";
import { nextToken, type Page } from "../paging.js";
import { type Database, fromJson, toJson } from "../store/index.js";
import type { TransferJobsTable } from "../store/schema.js";

/** Pinpoint's JobStatus values that Waymark's jobs pass through. */
export type JobStatus = "CREATED" | "INITIALIZING" | "PROCESSING" | "COMPLETED" | "FAILED";

/** Pinpoint keeps the first 100 failure messages of a job. */
export const failureListLimit = 100;

export interface TransferJob<Definition, Checkpoint> {
  id: string;
  appId: string;
  type: "IMPORT" | "EXPORT";
  definition: Definition;
  status: JobStatus;
  creationDate: string;
  completionDate?: string;
  totalPieces: number;
  completedPieces: number;
  failedPieces: number;
  totalProcessed: number;
  totalFailures: number;
  failures: string[];
  checkpoint: Checkpoint;
}

function fromRow<D, C>(row: Selectable<TransferJobsTable>): TransferJob<D, C> {
  return {
    id: row.id,
    appId: row.app_id,
    type: row.type,
    definition: fromJson<D>(row.definition),
    status: row.job_status as JobStatus,
    creationDate: row.creation_date,
    completionDate: row.completion_date ?? undefined,
    totalPieces: row.total_pieces,
    completedPieces: row.completed_pieces,
    failedPieces: row.failed_pieces,
    totalProcessed: row.total_processed,
    totalFailures: row.total_failures,
    failures: fromJson<string[]>(row.failures),
    checkpoint: fromJson<C>(row.checkpoint),
  };
}

/** Counts a failure, keeping its message while the job has fewer than Pinpoint's 100. */
export function recordFailure(job: TransferJob<unknown, unknown>, message: string, counted = true): void {
  if (counted) job.totalFailures += 1;
  if (job.failures.length < failureListLimit) job.failures.push(message);
}

/** The columns that change as a job runs: status, counters, failures and checkpoint. */
function progressColumns(job: TransferJob<unknown, unknown>) {
  return {
    job_status: job.status,
    completion_date: job.completionDate ?? null,
    total_pieces: job.totalPieces,
    completed_pieces: job.completedPieces,
    failed_pieces: job.failedPieces,
    total_processed: job.totalProcessed,
    total_failures: job.totalFailures,
    failures: toJson(job.failures),
    checkpoint: toJson(job.checkpoint),
  };
}

export async function insertTransferJob(db: Kysely<Database>, job: TransferJob<unknown, unknown>): Promise<void> {
  await db
    .insertInto("transfer_jobs")
    .values({
      id: job.id,
      app_id: job.appId,
      type: job.type,
      definition: toJson(job.definition),
      creation_date: job.creationDate,
      ...progressColumns(job),
    })
    .execute();
}

/** Saves a job's status, counters, failures and checkpoint as they stand. */
export async function saveProgress(db: Kysely<Database>, job: TransferJob<unknown, unknown>): Promise<void> {
  await db.updateTable("transfer_jobs").set(progressColumns(job)).where("id", "=", job.id).execute();
}

/**
 * Marks a job FAILED with the reason, from its row as last committed: for a run the queue will not
 * try again, so the job does not stay PROCESSING forever.
 */
export async function markFailed(db: Kysely<Database>, id: string, reason: string): Promise<void> {
  const job = await findTransferJob(db, id);
  if (!job) return;
  recordFailure(job, reason, false);
  await saveProgress(db, { ...job, status: "FAILED", completionDate: new Date().toISOString() });
}

/** The job, or undefined when it is gone (its app was deleted). */
export async function findTransferJob<D, C>(db: Kysely<Database>, id: string): Promise<TransferJob<D, C> | undefined> {
  const row = await db.selectFrom("transfer_jobs").selectAll().where("id", "=", id).executeTakeFirst();
  return row && fromRow<D, C>(row);
}

/** The app's job of this type, or Pinpoint's 404. */
export async function requireTransferJob<D, C>(
  db: Kysely<Database>,
  appId: string,
  type: "IMPORT" | "EXPORT",
  id: string,
): Promise<TransferJob<D, C>> {
  const job = await findTransferJob<D, C>(db, id);
  if (!job || job.appId !== appId || job.type !== type) throw notFound(`${type.toLowerCase()} job not found: ${id}`);
  return job;
}

/**
 * A page of the app's jobs of one type, newest first; `keep` narrows them (to one segment's jobs),
 * reading on until the page is full, since an app has few jobs.
 */
export async function listTransferJobs<D, C>(
  db: Kysely<Database>,
  appId: string,
  type: "IMPORT" | "EXPORT",
  page: Page,
  keep: (job: TransferJob<D, C>) => boolean = () => true,
): Promise<{ jobs: Array<TransferJob<D, C>>; nextToken?: string }> {
  const jobs: Array<TransferJob<D, C>> = [];
  let after = page.after;
  for (;;) {
    let query = db
      .selectFrom("transfer_jobs")
      .selectAll()
      .where("app_id", "=", appId)
      .where("type", "=", type)
      .orderBy("creation_date", "desc")
      .orderBy("id", "desc")
      .limit(page.size);
    if (after) {
      const [date, id] = after;
      query = query.where((eb) =>
        eb.or([eb("creation_date", "<", date), eb.and([eb("creation_date", "=", date), eb("id", "<", id)])]),
      );
    }
    const rows = await query.execute();
    for (const row of rows) {
      const job = fromRow<D, C>(row);
      if (keep(job)) jobs.push(job);
      if (jobs.length === page.size) {
        return { jobs, nextToken: nextToken(jobs, page, (j: TransferJob<D, C>) => [j.creationDate, j.id]) };
      }
    }
    if (rows.length < page.size) return { jobs };
    const last = rows[rows.length - 1];
    after = [last.creation_date, last.id];
  }
}

/** The fields ImportJobResponse and ExportJobResponse share. */
export function jobResponse(job: TransferJob<unknown, unknown>) {
  return {
    ApplicationId: job.appId,
    CompletedPieces: job.completedPieces,
    CompletionDate: job.completionDate,
    CreationDate: job.creationDate,
    FailedPieces: job.failedPieces,
    Failures: job.failures,
    Id: job.id,
    JobStatus: job.status,
    TotalFailures: job.totalFailures,
    TotalPieces: job.totalPieces,
    TotalProcessed: job.totalProcessed,
    Type: job.type,
  };
}
