/**
 * The "export-job" task: writes the endpoints in files of at most 100,000, saving its checkpoint
 * (files written, last endpoint id) after each file. A resumed job rewrites the file it was
 * writing when it stopped and continues from there.
 */
import type { TaskHelpers } from "../jobs/types.js";
import { exportFileName, writeExportFile } from "./export-files.js";
import type { ExportCheckpoint, ExportJob } from "./export-jobs.js";
import { countEndpoints, type ExportSource, readEndpointPage } from "./export-source.js";
import { resolveLocation } from "./locations.js";
import { findTransferJob, markFailed, saveProgress } from "./transfer-jobs.js";

/** Endpoints per export file, as Pinpoint's export writes them. */
export const endpointsPerExportFile = 100_000;
const pageSize = 1000;

/** Runs (or resumes) the export job named in the payload. */
export async function exportJobTask(payload: unknown, helpers: TaskHelpers): Promise<void> {
  const { jobId } = payload as { jobId: string };
  const { db } = helpers.services.store;
  const job = await findTransferJob<ExportJob["definition"], ExportCheckpoint>(db, jobId);
  if (!job || job.status === "COMPLETED" || job.status === "FAILED") return;
  try {
    await runExport(job, helpers);
  } catch (error) {
    if (helpers.job.attempts < helpers.job.max_attempts) throw error;
    await markFailed(db, jobId, `the job stopped after ${helpers.job.attempts} attempts: ${(error as Error).message}`);
  }
}

async function runExport(job: ExportJob, helpers: TaskHelpers): Promise<void> {
  const { db } = helpers.services.store;
  const source: ExportSource = { appId: job.appId, segmentId: job.definition.SegmentId };
  const location = resolveLocation(job.definition.S3UrlPrefix ?? "", helpers.services.config.s3, "S3UrlPrefix");
  if (job.status === "CREATED") {
    job.status = "INITIALIZING";
    await saveProgress(db, job);
    const total = await countEndpoints(db, source);
    Object.assign(job, { status: "PROCESSING", totalPieces: Math.ceil(total / endpointsPerExportFile) });
    await saveProgress(db, job);
  }
  for (;;) {
    const first = await readEndpointPage(db, source, job.checkpoint.after, pageSize);
    if (first.length === 0) break;
    const written = { count: 0, lastId: job.checkpoint.after };
    async function* lines() {
      let page = first;
      while (page.length > 0) {
        for (const endpoint of page) yield JSON.stringify(endpoint);
        written.count += page.length;
        written.lastId = page[page.length - 1].Id;
        await helpers.heartbeat();
        const room = endpointsPerExportFile - written.count;
        page = room > 0 ? await readEndpointPage(db, source, written.lastId, Math.min(pageSize, room)) : [];
      }
    }
    const n = job.checkpoint.files + 1;
    await writeExportFile(location, exportFileName(job.id, n), lines());
    Object.assign(job, {
      completedPieces: n,
      totalPieces: Math.max(job.totalPieces, n),
      totalProcessed: job.totalProcessed + written.count,
      checkpoint: { files: n, after: written.lastId },
    });
    await saveProgress(db, job);
    if (helpers.signal.aborted) return;
  }
  Object.assign(job, {
    status: "COMPLETED",
    totalPieces: job.completedPieces,
    completionDate: new Date().toISOString(),
  });
  await saveProgress(db, job);
}
