/**
 * Journeys: Pinpoint's multi-step engagement flows. The API's operations (create, read, update,
 * state changes, delete, list, execution metrics, runs and engagement KPIs) and the journey ARN;
 * the engine, triggers and lifecycle live beside them in this folder.
 */
export { deleteJourney } from "./delete.js";
export { journeyDateRangeKpi, journeyKpiNames } from "./kpi.js";
export {
  journeyActivityMetrics,
  journeyExecutionMetrics,
  journeyRunActivityMetrics,
  journeyRunMetrics,
} from "./metrics.js";
export { getJourney, listJourneys } from "./read.js";
export { journeyArn } from "./response.js";
export { journeyRuns } from "./runs.js";
export { updateJourneyState } from "./state.js";
export { createJourney, updateJourney } from "./write.js";
