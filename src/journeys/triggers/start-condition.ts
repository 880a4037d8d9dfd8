/**
 * What a journey's definition says about entering it, read once for the scheduler, the fan-out,
 * event entry and broadcasts: which segment is fanned out, how often it is refreshed, and the
 * window (Schedule.StartTime to Schedule.EndTime) in which endpoints may enter. Pure.
 */
import type { EventDimensions } from "@aws-sdk/client-pinpoint";
import type { JourneyDefinition } from "../model.js";

/** When endpoints may enter: from startMs (inclusive) to endMs (exclusive); either end may be open. */
export interface EntryWindow {
  startMs?: number;
  endMs?: number;
}

/**
 * Schedule.StartTime and EndTime as instants. Stored definitions hold them as ISO 8601 text (the
 * SDKs send them so); a Date is accepted for definitions built in code.
 * @example entryWindow({ Schedule: { EndTime: "2026-12-01T00:00:00Z" } }) // { endMs: 1796083200000 }
 */
export function entryWindow(definition: JourneyDefinition): EntryWindow {
  const schedule = definition.Schedule;
  return { startMs: instant(schedule?.StartTime), endMs: instant(schedule?.EndTime) };
}

/** Whether `nowMs` falls in the window. @example isOpen({ startMs: 10 }, 5) // false */
export function isOpen(window: EntryWindow, nowMs: number): boolean {
  return (
    (window.startMs === undefined || nowMs >= window.startMs) && (window.endMs === undefined || nowMs < window.endMs)
  );
}

function instant(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The segment whose endpoints a run enters: SegmentStartCondition's for a segment journey,
 * EventStartCondition's for a broadcast journey; none for an event journey (it limits who may
 * enter, which the engine checks per entry).
 * @example fannedOutSegment({ StartCondition: { SegmentStartCondition: { SegmentId: "s1" } } }) // "s1"
 */
export function fannedOutSegment(definition: JourneyDefinition): string | undefined {
  const start = definition.StartCondition;
  if (start?.EventStartCondition) {
    const broadcast = (start.EventStartCondition.EventFilter?.FilterType as string | undefined) === "BROADCAST";
    return broadcast ? start.EventStartCondition.SegmentId : undefined;
  }
  return start?.SegmentStartCondition?.SegmentId;
}

/** How a segment journey takes in new members after its first run. */
export interface Refresh {
  /** ISO 8601 duration between runs (RefreshFrequency), if it recurs. */
  frequency?: string;
  /** Whether an update of the segment (a new version, an import into it) starts a run. */
  onSegmentUpdate: boolean;
}

export function segmentRefresh(definition: JourneyDefinition): Refresh {
  return {
    frequency: definition.RefreshFrequency || undefined,
    onSegmentUpdate: definition.RefreshOnSegmentUpdate === true,
  };
}

/** A one-time segment journey completes once its run is over; a refreshed one stays open for new members. */
export function isOneTime(definition: JourneyDefinition): boolean {
  const refresh = segmentRefresh(definition);
  return refresh.frequency === undefined && !refresh.onSegmentUpdate;
}

/** The event filter of an event or broadcast journey, and which events it listens to. */
export interface EventTrigger {
  /** ENDPOINT: events reported through PutEvents; SYSTEM: events Waymark records itself; BROADCAST. */
  filterType: "ENDPOINT" | "SYSTEM" | "BROADCAST";
  dimensions?: EventDimensions;
}

/**
 * The journey's EventFilter. Pinpoint's FilterType is optional in practice (ENDPOINT when absent).
 * @example eventTrigger({ StartCondition: { EventStartCondition: { EventFilter: { FilterType: "SYSTEM", Dimensions: {} } } } })
 */
export function eventTrigger(definition: JourneyDefinition): EventTrigger | undefined {
  const condition = definition.StartCondition?.EventStartCondition;
  if (!condition) return undefined;
  const type = condition.EventFilter?.FilterType as string | undefined;
  const filterType = type === "SYSTEM" || type === "BROADCAST" ? type : "ENDPOINT";
  return { filterType, dimensions: condition.EventFilter?.Dimensions };
}
