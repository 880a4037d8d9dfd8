/**
 * Whether a journey definition is acceptable, checked without I/O (templates and segments are
 * looked up in references.ts). A DRAFT may be incomplete: `complete` is false while it is saved as
 * a draft, and true when it is published (or is already live), where a journey must also say how
 * endpoints enter and where they start. Every problem is Pinpoint's 400, naming the activity or
 * field at fault.
 */
import type { JourneyLimits, JourneySchedule, StartCondition } from "@aws-sdk/client-pinpoint";
import type { JourneyDefinition } from "./model.js";
import { journeyLimits } from "./model.js";
import { checkSendingRules } from "./time/sending-window.js";
import { checkActivities } from "./validate-activities.js";
import { checkDateTime, checkDuration, isDateTime, refuse } from "./validate-formats.js";

/**
 * Throws Pinpoint's 400 for the first problem of the definition.
 * @example checkDefinition({ Name: "Welcome", Activities: {} }, false)
 */
export function checkDefinition(definition: JourneyDefinition, complete: boolean): void {
  if (typeof definition.Name !== "string" || definition.Name.trim() === "") refuse("Name must not be empty");
  checkStartCondition(definition.StartCondition, complete);
  checkActivities(definition, complete);
  checkLimits(definition.Limits);
  checkSchedule(definition.Schedule);
  const quietTime = definition.QuietTime;
  if (quietTime && (quietTime.Start === undefined) !== (quietTime.End === undefined)) {
    refuse("QuietTime needs both a Start and an End");
  }
  // Quiet time, Schedule.Timezone, open hours and closed days: checked as the sending window reads them.
  const sendingProblem = checkSendingRules(definition);
  if (sendingProblem) refuse(sendingProblem);
  checkDuration(definition.RefreshFrequency, "RefreshFrequency");
  for (const method of definition.TimezoneEstimationMethods ?? []) {
    if (method !== "PHONE_NUMBER" && method !== "POSTAL_CODE") {
      refuse(`TimezoneEstimationMethods: '${method}' is not PHONE_NUMBER or POSTAL_CODE`);
    }
  }
}

const filterTypes = ["SYSTEM", "ENDPOINT", "BROADCAST"];

function checkStartCondition(condition: StartCondition | undefined, complete: boolean): void {
  if (!condition) {
    if (complete)
      refuse("StartCondition is required to publish a journey: a SegmentStartCondition or an EventStartCondition");
    return;
  }
  const { SegmentStartCondition: segment, EventStartCondition: event } = condition;
  if (segment && event)
    refuse("StartCondition holds both a SegmentStartCondition and an EventStartCondition: give one");
  if (!segment && !event && complete) {
    refuse("StartCondition needs a SegmentStartCondition or an EventStartCondition to publish a journey");
  }
  if (segment && (typeof segment.SegmentId !== "string" || segment.SegmentId === "")) {
    refuse("StartCondition.SegmentStartCondition.SegmentId must name a segment");
  }
  if (!event) return;
  const filter = event.EventFilter;
  const eventTypes = filter?.Dimensions?.EventType?.Values ?? [];
  if (!filter || eventTypes.length === 0) {
    refuse("StartCondition.EventStartCondition needs an EventFilter whose Dimensions.EventType names the event types");
  }
  const filterType = filter.FilterType as string | undefined;
  if (filterType === undefined || !filterTypes.includes(filterType)) {
    refuse(
      `StartCondition.EventStartCondition.EventFilter.FilterType must be SYSTEM, ENDPOINT or BROADCAST, not '${String(filterType)}'`,
    );
  }
  if (filterType === "BROADCAST" && !event.SegmentId) {
    refuse("A BROADCAST EventStartCondition needs a SegmentId: the segment whose endpoints each broadcast enters");
  }
}

function checkCap(value: number | undefined, field: string): void {
  if (value === undefined || value === null) return;
  if (!Number.isInteger(value) || value < 0 || value > journeyLimits.cap) {
    refuse(`Limits.${field} must be a whole number from 0 to ${journeyLimits.cap}, not ${value}`);
  }
}

function checkLimits(limits: JourneyLimits | undefined): void {
  if (!limits) return;
  checkCap(limits.EndpointReentryCap, "EndpointReentryCap");
  checkCap(limits.DailyCap, "DailyCap");
  checkCap(limits.TotalCap, "TotalCap");
  checkCap(limits.TimeframeCap?.Cap, "TimeframeCap.Cap");
  const days = limits.TimeframeCap?.Days;
  if (days !== undefined && days !== null && (!Number.isInteger(days) || days < 1)) {
    refuse(`Limits.TimeframeCap.Days must be a whole number of days from 1, not ${days}`);
  }
  const perSecond = limits.MessagesPerSecond;
  if (perSecond !== undefined && perSecond !== null && (!Number.isInteger(perSecond) || perSecond < 1)) {
    refuse(`Limits.MessagesPerSecond must be a whole number from 1, not ${perSecond}`);
  }
  checkDuration(limits.EndpointReentryInterval, "Limits.EndpointReentryInterval");
}

function checkSchedule(schedule: JourneySchedule | undefined): void {
  if (!schedule) return;
  // The SDK types these as Date; on the wire (and so here) they are ISO 8601 strings.
  const start: unknown = schedule.StartTime;
  const end: unknown = schedule.EndTime;
  checkDateTime(start, "Schedule.StartTime");
  checkDateTime(end, "Schedule.EndTime");
  if (isDateTime(start) && isDateTime(end) && Date.parse(end) <= Date.parse(start)) {
    refuse("Schedule.EndTime must come after Schedule.StartTime");
  }
}
