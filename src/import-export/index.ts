/**
 * Import and export jobs: endpoints (and imported segments) in from CSV or JSON files, endpoints out
 * to gzipped JSON files, run durably in the background by the "import-job" and "export-job" tasks.
 */
export { createExportJob, getExportJob, listExportJobs } from "./export-jobs.js";
export { exportJobTask } from "./export-task.js";
export { createImportJob, getImportJob, listImportJobs } from "./import-jobs.js";
export { importJobTask } from "./import-task.js";
