/**
 * How endpoints get into journeys: segment runs fanned out by the "journey-fanout" job task, event
 * entry from PutEvents and from the events Waymark records, runs started when a segment changes,
 * and the scheduler loop (scheduler.ts) that starts, refreshes, closes and completes.
 */
export { enterEventJourneys, forgetEventJourneys, type RecordedEvent } from "./event-entry.js";
export { journeyFanoutTask } from "./fanout-task.js";
export { fanoutTask } from "./runs.js";
export { segmentUpdated } from "./segment-updated.js";
