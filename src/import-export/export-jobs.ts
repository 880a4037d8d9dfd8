/**
 * CreateExportJob, GetExportJob, GetExportJobs and GetSegmentExportJobs. The job row and its queued
 * task are written in one transaction; the task (export-task.ts) writes the files in the background.
 */
import { randomUUID } from "node:crypto";
import { stat } from "node:fs/promises";
import type { ExportJobRequest, ExportJobResource, ExportJobResponse } from "@aws-sdk/client-pinpoint";
import { badRequest, notFound } from "../api/errors.js";
import { requireApp } from "../apps/index.js";
import { addJob } from "../jobs/add-job.js";
import type { Page } from "../paging.js";
import type { Services } from "../services.js";
import { resolveLocation } from "./locations.js";
import {
  insertTransferJob,
  jobResponse,
  listTransferJobs,
  requireTransferJob,
  type TransferJob,
} from "./transfer-jobs.js";

/** Where a run stands: files completed, and the last endpoint id the last of them holds. */
export interface ExportCheckpoint {
  files: number;
  after?: string;
}

export type ExportJob = TransferJob<ExportJobResource, ExportCheckpoint>;

export function toExportJobResponse(job: ExportJob): ExportJobResponse {
  return { ...jobResponse(job), Definition: job.definition };
}

/** Only imported segments have a stored membership to export until dimensional segments are evaluated. */
async function checkSegment(services: Services, appId: string, segmentId: string): Promise<void> {
  const segment = await services.store.db
    .selectFrom("segments")
    .select("segment_type")
    .where("app_id", "=", appId)
    .where("id", "=", segmentId)
    .executeTakeFirst();
  if (!segment) throw notFound(`Segment not found: ${segmentId}`);
  if (segment.segment_type !== "IMPORT") {
    throw badRequest(
      `Exporting a ${segment.segment_type} segment is not supported yet; export an imported segment or the whole application`,
    );
  }
}

/**
 * @example await createExportJob(services, appId, { S3UrlPrefix: "s3://bucket/exports/", RoleArn })
 */
export async function createExportJob(
  services: Services,
  appId: string,
  request: ExportJobRequest,
): Promise<ExportJobResponse> {
  await requireApp(services, appId);
  if (typeof request.S3UrlPrefix !== "string" || request.S3UrlPrefix === "") {
    throw badRequest("S3UrlPrefix is required");
  }
  const location = resolveLocation(request.S3UrlPrefix, services.config.s3, "S3UrlPrefix");
  if (location.kind === "file") {
    const existing = await stat(location.path).catch(() => undefined);
    if (existing && !existing.isDirectory())
      throw badRequest(`S3UrlPrefix ${request.S3UrlPrefix} is a file, not a folder`);
  }
  if (request.SegmentId) await checkSegment(services, appId, request.SegmentId);

  const job: ExportJob = {
    id: randomUUID().replaceAll("-", ""),
    appId,
    type: "EXPORT",
    definition: {
      RoleArn: request.RoleArn,
      S3UrlPrefix: request.S3UrlPrefix,
      SegmentId: request.SegmentId,
      SegmentVersion: request.SegmentVersion,
    },
    status: "CREATED",
    creationDate: new Date().toISOString(),
    totalPieces: 0,
    completedPieces: 0,
    failedPieces: 0,
    totalProcessed: 0,
    totalFailures: 0,
    failures: [],
    checkpoint: { files: 0 },
  };
  await services.store.db.transaction().execute(async (trx) => {
    await insertTransferJob(trx, job);
    await addJob(trx, { task: "export-job", payload: { jobId: job.id } });
  });
  services.wake.jobs();
  return toExportJobResponse(job);
}

export async function getExportJob(services: Services, appId: string, jobId: string): Promise<ExportJobResponse> {
  await requireApp(services, appId);
  return toExportJobResponse(await requireTransferJob(services.store.db, appId, "EXPORT", jobId));
}

/** The app's export jobs, newest first; with a segment id, only that segment's. */
export async function listExportJobs(services: Services, appId: string, page: Page, segmentId?: string) {
  await requireApp(services, appId);
  const { jobs, nextToken } = await listTransferJobs<ExportJobResource, ExportCheckpoint>(
    services.store.db,
    appId,
    "EXPORT",
    page,
    (job) => segmentId === undefined || job.definition.SegmentId === segmentId,
  );
  return { Item: jobs.map(toExportJobResponse), NextToken: nextToken };
}
