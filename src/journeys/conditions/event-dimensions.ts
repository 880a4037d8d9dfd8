/**
 * Whether an event matches Pinpoint's EventDimensions: an EventStartCondition's EventFilter, a
 * broadcast's filter, or a split's EventCondition. Every dimension given must hold. Pure.
 *
 * Attribute and metric dimensions read the same way as a segment's (src/segments/compile-dimensions.ts):
 * INCLUSIVE and EXCLUSIVE compare whole values, case-sensitively; CONTAINS looks for a substring;
 * BEFORE, AFTER, ON (the same UTC day) and BETWEEN (inclusive, in either order) compare ISO-8601
 * instants read with the segments' parser; an event without the attribute meets only EXCLUSIVE,
 * and one without the metric meets no metric dimension.
 */
import type { AttributeDimension, EventDimensions, MetricDimension, SetDimension } from "@aws-sdk/client-pinpoint";
import { instantMs } from "../../segments/index.js";

/** The parts of an event that EventDimensions read. */
export interface DimensionedEvent {
  EventType: string;
  Attributes?: Record<string, string>;
  Metrics?: Record<string, number>;
}

const dayMs = 86_400_000;

function matchesSet(dimension: SetDimension, value: string): boolean {
  const listed = (dimension.Values ?? []).includes(value);
  return dimension.DimensionType === "EXCLUSIVE" ? !listed : listed;
}

function matchesDate(dimension: AttributeDimension, value: string): boolean {
  const ms = instantMs(value);
  const [first, second] = (dimension.Values ?? []).map((bound) => instantMs(bound) ?? Number.NaN);
  if (ms === undefined) return false;
  switch (dimension.AttributeType) {
    case "BEFORE":
      return ms < first;
    case "AFTER":
      return ms > first;
    case "ON": {
      const day = Math.floor(first / dayMs) * dayMs;
      return ms >= day && ms < day + dayMs;
    }
    default:
      return ms >= Math.min(first, second) && ms <= Math.max(first, second);
  }
}

function matchesAttribute(dimension: AttributeDimension, value: string | undefined): boolean {
  const values = dimension.Values ?? [];
  switch (dimension.AttributeType ?? "INCLUSIVE") {
    case "INCLUSIVE":
      return value !== undefined && values.includes(value);
    case "EXCLUSIVE":
      return value === undefined || !values.includes(value);
    case "CONTAINS":
      return value !== undefined && values.some((needle) => value.includes(needle));
    default:
      return value !== undefined && matchesDate(dimension, value);
  }
}

function matchesMetric(dimension: MetricDimension, value: number | undefined): boolean {
  if (typeof value !== "number" || dimension.Value === undefined) return false;
  switch (dimension.ComparisonOperator) {
    case "GREATER_THAN":
      return value > dimension.Value;
    case "LESS_THAN":
      return value < dimension.Value;
    case "GREATER_THAN_OR_EQUAL":
      return value >= dimension.Value;
    case "LESS_THAN_OR_EQUAL":
      return value <= dimension.Value;
    default:
      return value === dimension.Value;
  }
}

/**
 * True when the event meets every dimension given; no dimensions match every event.
 * @example
 * matchesEventDimensions(
 *   { EventType: { Values: ["feature.released"] }, Metrics: { tier: { ComparisonOperator: "GREATER_THAN", Value: 1 } } },
 *   { EventType: "feature.released", Metrics: { tier: 2 } },
 * ) // true
 */
export function matchesEventDimensions(dimensions: EventDimensions | undefined, event: DimensionedEvent): boolean {
  if (!dimensions) return true;
  if (dimensions.EventType && !matchesSet(dimensions.EventType, event.EventType)) return false;
  for (const [name, dimension] of Object.entries(dimensions.Attributes ?? {})) {
    if (!matchesAttribute(dimension, event.Attributes?.[name])) return false;
  }
  for (const [name, dimension] of Object.entries(dimensions.Metrics ?? {})) {
    if (!matchesMetric(dimension, event.Metrics?.[name])) return false;
  }
  return true;
}
