/** Import jobs and export jobs, for the app and for one segment. */
import type { ExportJobRequest, ImportJobRequest } from "@aws-sdk/client-pinpoint";
import {
  createExportJob,
  createImportJob,
  getExportJob,
  getImportJob,
  listExportJobs,
  listImportJobs,
} from "../import-export/index.js";
import { readPage } from "../paging.js";
import { type Handlers, member } from "./handler.js";

export const importExportHandlers: Handlers = {
  CreateImportJob: (input, { services }) =>
    createImportJob(services, member(input, "ApplicationId"), member<ImportJobRequest>(input, "ImportJobRequest")),
  GetImportJob: (input, { services }) => getImportJob(services, member(input, "ApplicationId"), member(input, "JobId")),
  GetImportJobs: (input, { services }) =>
    listImportJobs(services, member(input, "ApplicationId"), readPage(input.PageSize, input.Token)),
  GetSegmentImportJobs: (input, { services }) =>
    listImportJobs(
      services,
      member(input, "ApplicationId"),
      readPage(input.PageSize, input.Token),
      member(input, "SegmentId"),
    ),
  CreateExportJob: (input, { services }) =>
    createExportJob(services, member(input, "ApplicationId"), member<ExportJobRequest>(input, "ExportJobRequest")),
  GetExportJob: (input, { services }) => getExportJob(services, member(input, "ApplicationId"), member(input, "JobId")),
  GetExportJobs: (input, { services }) =>
    listExportJobs(services, member(input, "ApplicationId"), readPage(input.PageSize, input.Token)),
  GetSegmentExportJobs: (input, { services }) =>
    listExportJobs(
      services,
      member(input, "ApplicationId"),
      readPage(input.PageSize, input.Token),
      member(input, "SegmentId"),
    ),
};
