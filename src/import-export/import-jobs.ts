/**
 * CreateImportJob, GetImportJob, GetImportJobs and GetSegmentImportJobs. Creating a job checks that
 * its files can be read, then writes the job row, the imported segment it defines and the queued
 * task in one transaction; the task (import-task.ts) does the work in the background.
 */
import { randomUUID } from "node:crypto";
import type { ImportJobRequest, ImportJobResource, ImportJobResponse } from "@aws-sdk/client-pinpoint";
import { badRequest } from "../api/errors.js";
import { requireApp } from "../apps/index.js";
import { addJob } from "../jobs/add-job.js";
import type { Page } from "../paging.js";
import type { Services } from "../services.js";
import { createImportedSegment, requireImportedSegment } from "./imported-segment.js";
import { type Location, resolveLocation } from "./locations.js";
import { listPieces, openPiece } from "./pieces.js";
import type { ImportFormat } from "./read-records.js";
import {
  insertTransferJob,
  jobResponse,
  listTransferJobs,
  requireTransferJob,
  type TransferJob,
} from "./transfer-jobs.js";

/** Where a run stands: the pieces listed when it started, the one being read, its last applied line. */
export interface ImportCheckpoint {
  pieces?: string[];
  piece: number;
  line: number;
}

export type ImportJob = TransferJob<ImportJobResource, ImportCheckpoint>;

const formats: ImportFormat[] = ["CSV", "JSON"];

export function toImportJobResponse(job: ImportJob): ImportJobResponse {
  return { ...jobResponse(job), Definition: job.definition };
}

/** Refuses, with a 400, a location whose files are missing or unreadable, before anything is created. */
async function checkReadable(url: string, location: Location, format: ImportFormat): Promise<void> {
  let pieces: string[];
  try {
    pieces = await listPieces(location, format);
  } catch (error) {
    throw badRequest(`S3Url ${url} cannot be listed: ${(error as Error).message}`);
  }
  if (pieces.length === 0) throw badRequest(`S3Url ${url} names no ${format} file`);
  try {
    (await openPiece(pieces[0])).destroy();
  } catch (error) {
    throw badRequest(`S3Url ${url} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * @example await createImportJob(services, appId, { Format: "CSV", S3Url: "s3://bucket/users.csv", RoleArn })
 */
export async function createImportJob(
  services: Services,
  appId: string,
  request: ImportJobRequest,
): Promise<ImportJobResponse> {
  await requireApp(services, appId);
  const format = request.Format as ImportFormat;
  if (!formats.includes(format)) throw badRequest("Format must be CSV or JSON");
  if (typeof request.S3Url !== "string" || request.S3Url === "") throw badRequest("S3Url is required");
  const { db } = services.store;
  if (request.SegmentId) await requireImportedSegment(db, appId, request.SegmentId);
  if (request.DefineSegment && !request.SegmentId && !request.SegmentName?.trim()) {
    throw badRequest("SegmentName is required to define a segment");
  }
  await checkReadable(request.S3Url, resolveLocation(request.S3Url, services.config.s3), format);

  const now = new Date().toISOString();
  const newSegmentId = request.DefineSegment && !request.SegmentId ? randomUUID().replaceAll("-", "") : undefined;
  const job: ImportJob = {
    id: randomUUID().replaceAll("-", ""),
    appId,
    type: "IMPORT",
    definition: {
      DefineSegment: request.DefineSegment,
      ExternalId: request.ExternalId,
      Format: format,
      RegisterEndpoints: request.RegisterEndpoints,
      RoleArn: request.RoleArn,
      S3Url: request.S3Url,
      SegmentId: request.SegmentId ?? newSegmentId,
      SegmentName: request.SegmentName,
    },
    status: "CREATED",
    creationDate: now,
    totalPieces: 0,
    completedPieces: 0,
    failedPieces: 0,
    totalProcessed: 0,
    totalFailures: 0,
    failures: [],
    checkpoint: { piece: 0, line: 0 },
  };
  await db.transaction().execute(async (trx) => {
    if (newSegmentId) {
      await createImportedSegment(trx, {
        appId,
        id: newSegmentId,
        name: request.SegmentName ?? "",
        now,
        importDefinition: {
          ChannelCounts: {},
          ExternalId: request.ExternalId ?? services.config.accountId,
          Format: format,
          RoleArn: request.RoleArn,
          S3Url: request.S3Url,
          Size: 0,
        },
      });
    }
    await insertTransferJob(trx, job);
    await addJob(trx, { task: "import-job", payload: { jobId: job.id } });
  });
  services.wake.jobs();
  return toImportJobResponse(job);
}

export async function getImportJob(services: Services, appId: string, jobId: string): Promise<ImportJobResponse> {
  await requireApp(services, appId);
  return toImportJobResponse(await requireTransferJob(services.store.db, appId, "IMPORT", jobId));
}

/** The app's import jobs, newest first; with a segment id, only the jobs that imported into it. */
export async function listImportJobs(services: Services, appId: string, page: Page, segmentId?: string) {
  await requireApp(services, appId);
  const { jobs, nextToken } = await listTransferJobs<ImportJobResource, ImportCheckpoint>(
    services.store.db,
    appId,
    "IMPORT",
    page,
    (job) => segmentId === undefined || job.definition.SegmentId === segmentId,
  );
  return { Item: jobs.map(toImportJobResponse), NextToken: nextToken };
}
