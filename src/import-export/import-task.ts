/**
 * The "import-job" task: reads each piece of an import as a stream and applies it in chunks. Each
 * chunk's endpoints, segment members, counters and checkpoint commit in one transaction, so a
 * process killed at any moment resumes after the last committed line: nothing is applied twice
 * and nothing is skipped.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Kysely } from "kysely";
import { upsertEndpoints } from "../endpoints/index.js";
import type { TaskHelpers } from "../jobs/types.js";
import { segmentUpdated } from "../journeys/triggers/index.js";
import type { Database } from "../store/index.js";
import type { ImportCheckpoint, ImportJob } from "./import-jobs.js";
import { addSegmentMembers, endpointsOfUsers, recountImportedSegment } from "./imported-segment.js";
import { resolveLocation } from "./locations.js";
import { listPieces, openPiece } from "./pieces.js";
import { type ImportFormat, readRecords } from "./read-records.js";
import type { ImportRecord } from "./record.js";
import { findTransferJob, markFailed, recordFailure, saveProgress } from "./transfer-jobs.js";

/**
 * Records per transaction: large enough that per-transaction costs vanish (and one full 500-row
 * endpoint statement), small enough that a chunk's lock on SQLite's single writer stays in the
 * milliseconds. Chunks of 1000 ran no faster on bench/import.bench.js but kept more of each chunk
 * alive across young-generation collections, raising peak RSS by 60-80 MB.
 */
export const importChunkSize = 500;

type Outcome = { piece: "reading" } | { piece: "completed" } | { piece: "failed"; reason: string };

interface Failure {
  line: number;
  message: string;
}

/** Runs (or resumes) the import job named in the payload. */
export async function importJobTask(payload: unknown, helpers: TaskHelpers): Promise<void> {
  const { jobId } = payload as { jobId: string };
  const { db } = helpers.services.store;
  const job = await findTransferJob<ImportJob["definition"], ImportCheckpoint>(db, jobId);
  if (!job || job.status === "COMPLETED" || job.status === "FAILED") return;
  try {
    await runImport(job, helpers);
  } catch (error) {
    if (helpers.job.attempts < helpers.job.max_attempts) throw error;
    await markFailed(db, jobId, `the job stopped after ${helpers.job.attempts} attempts: ${(error as Error).message}`);
  }
}

async function runImport(job: ImportJob, helpers: TaskHelpers): Promise<void> {
  const { db } = helpers.services.store;
  let pieces = job.checkpoint.pieces;
  if (!pieces) {
    job.status = "INITIALIZING";
    await saveProgress(db, job);
    const location = resolveLocation(job.definition.S3Url ?? "", helpers.services.config.s3);
    pieces = await listPieces(location, job.definition.Format as ImportFormat);
    Object.assign(job, { status: "PROCESSING", totalPieces: pieces.length, checkpoint: { pieces, piece: 0, line: 0 } });
    await saveProgress(db, job);
  }
  while (job.checkpoint.piece < pieces.length) {
    const finished = await importPiece(job, pieces[job.checkpoint.piece], helpers);
    if (!finished) return;
  }
  const segmentId = job.definition.SegmentId;
  const now = new Date().toISOString();
  if (pieces.length === 0) recordFailure(job, `${job.definition.S3Url} holds no ${job.definition.Format} file`, false);
  job.status = job.failedPieces === job.totalPieces ? "FAILED" : "COMPLETED";
  job.completionDate = now;
  // One transaction: a journey refreshed on this segment's update starts its run exactly once.
  const refreshed = await db.transaction().execute(async (trx) => {
    if (segmentId) await recountImportedSegment(trx, job.appId, segmentId, now);
    await saveProgress(trx, job);
    return segmentId ? segmentUpdated(trx, helpers.services, job.appId, segmentId) : 0;
  });
  if (refreshed > 0) helpers.services.wake.jobs();
}

/** Imports one piece from the checkpoint on; false when the worker is stopping and it saved its place. */
async function importPiece(job: ImportJob, piece: string, helpers: TaskHelpers): Promise<boolean> {
  let batches: AsyncIterator<ImportRecord[]>;
  try {
    const stream = await openPiece(piece);
    batches = readRecords(stream, job.definition.Format as ImportFormat, job.checkpoint.line)[Symbol.asyncIterator]();
  } catch (error) {
    await applyChunk(job, [], { piece: "failed", reason: (error as Error).message }, helpers);
    return true;
  }
  let chunk: ImportRecord[] = [];
  for (;;) {
    let next: IteratorResult<ImportRecord[]>;
    try {
      next = await batches.next();
    } catch (error) {
      await applyChunk(job, chunk, { piece: "failed", reason: (error as Error).message }, helpers);
      return true;
    }
    if (next.done) break;
    for (const record of next.value) {
      chunk.push(record);
      if (chunk.length < importChunkSize) continue;
      await applyChunk(job, chunk, { piece: "reading" }, helpers);
      chunk = [];
      await helpers.heartbeat();
      // better-sqlite3 answers synchronously: without this turn, requests would wait for the whole file.
      await nextTurn();
      if (helpers.signal.aborted) {
        await batches.return?.();
        return false;
      }
    }
  }
  await applyChunk(job, chunk, { piece: "completed" }, helpers);
  return true;
}

/** Applies a chunk and records where the job stands, in one transaction; `job` changes only once it commits. */
async function applyChunk(job: ImportJob, chunk: ImportRecord[], outcome: Outcome, helpers: TaskHelpers) {
  const { db } = helpers.services.store;
  const next: ImportJob = { ...job, failures: [...job.failures], checkpoint: { ...job.checkpoint } };
  await db.transaction().execute(async (trx) => {
    const failures = await applyRecords(trx, next, chunk, helpers);
    failures.sort((a, b) => a.line - b.line);
    for (const failure of failures) recordFailure(next, failure.message);
    next.totalProcessed += chunk.length;
    if (outcome.piece === "reading") {
      next.checkpoint.line = chunk[chunk.length - 1].line;
    } else {
      const piece = next.checkpoint.pieces?.[next.checkpoint.piece];
      if (outcome.piece === "failed") {
        next.failedPieces += 1;
        recordFailure(next, `${piece}: ${outcome.reason}`, false);
      } else {
        next.completedPieces += 1;
      }
      next.checkpoint = { ...next.checkpoint, piece: next.checkpoint.piece + 1, line: 0 };
    }
    await saveProgress(trx, next);
  });
  Object.assign(job, next);
}

/** Upserts the chunk's endpoints and adds them (and named users' endpoints) to the segment. */
async function applyRecords(
  trx: Kysely<Database>,
  job: ImportJob,
  chunk: ImportRecord[],
  helpers: TaskHelpers,
): Promise<Failure[]> {
  const failures: Failure[] = [];
  const endpoints: Array<Extract<ImportRecord, { endpoint: unknown }>> = [];
  const users: Array<Extract<ImportRecord, { userIds: unknown }>> = [];
  for (const record of chunk) {
    if ("error" in record) failures.push({ line: record.line, message: record.error });
    else if ("endpoint" in record) endpoints.push(record);
    else users.push(record);
  }
  const segmentId = job.definition.SegmentId;
  const members: string[] = [];
  if (endpoints.length > 0) {
    const results = await upsertEndpoints(
      trx,
      helpers.services.store.dialect,
      job.appId,
      endpoints.map((record) => record.endpoint),
    );
    results.forEach((result, i) => {
      if (result.error)
        failures.push({ line: endpoints[i].line, message: `line ${endpoints[i].line}: ${result.error}` });
      else members.push(result.Id);
    });
  }
  if (users.length > 0 && !segmentId) {
    for (const record of users) {
      failures.push({
        line: record.line,
        message: `line ${record.line}: a row naming only User.UserId adds that user's endpoints to a segment; set DefineSegment or SegmentId`,
      });
    }
  } else if (users.length > 0) {
    const byUser = await endpointsOfUsers(trx, job.appId, [...new Set(users.flatMap((record) => record.userIds))]);
    for (const record of users) {
      const missing = record.userIds.filter((userId) => !byUser.has(userId));
      if (missing.length > 0) {
        failures.push({
          line: record.line,
          message: `line ${record.line}: no endpoints have User.UserId ${missing.join(", ")}`,
        });
      }
      for (const userId of record.userIds) members.push(...(byUser.get(userId) ?? []));
    }
  }
  if (segmentId && members.length > 0) await addSegmentMembers(trx, job.appId, segmentId, members);
  return failures;
}
