/**
 * Pure checks of a segment's criteria. Each returns the message a client sees in its 400, or
 * undefined when the definition can be evaluated; nothing is stored when one fails.
 */
import type {
  AttributeDimension,
  GPSPointDimension,
  MetricDimension,
  SegmentDimensions,
  SegmentGroup,
  SegmentGroupList,
  SetDimension,
} from "@aws-sdk/client-pinpoint";
import { instantMs } from "./endpoint-dimensions.js";
import {
  attributeTypes,
  comparisonOperators,
  dimensionTypes,
  matchTypes,
  recencyWindowMs,
  type SegmentDefinition,
  segmentLimits,
} from "./model.js";

const dateTypes: Record<string, number> = { BEFORE: 1, AFTER: 1, ON: 1, BETWEEN: 2 };

function oneOf(label: string, value: unknown, allowed: readonly string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  return allowed.includes(value as string) ? undefined : `${label} must be one of ${allowed.join(", ")}`;
}

/** Counts values as it goes, so the whole segment stays within Pinpoint's 100 values. */
class ValueBudget {
  used = 0;
  take(label: string, values: unknown): string | undefined {
    if (!Array.isArray(values) || values.length === 0) return `${label}.Values must list at least one value`;
    for (const value of values) {
      if (typeof value !== "string") return `${label}.Values must be strings`;
      if (value.length > segmentLimits.valueLength) {
        return `${label} has a value longer than ${segmentLimits.valueLength} characters`;
      }
    }
    this.used += values.length;
    return this.used > segmentLimits.valuesPerSegment
      ? `A segment can have at most ${segmentLimits.valuesPerSegment} values across all its criteria`
      : undefined;
  }
}

function checkAttribute(label: string, dimension: AttributeDimension, budget: ValueBudget): string | undefined {
  const problem =
    oneOf(`${label}.AttributeType`, dimension.AttributeType, attributeTypes) ?? budget.take(label, dimension.Values);
  if (problem) return problem;
  const count = dateTypes[dimension.AttributeType ?? ""];
  if (count === undefined) return undefined;
  const values = dimension.Values ?? [];
  if (values.length !== count) {
    return `${label}: ${dimension.AttributeType} takes ${count === 1 ? "one date" : "two dates"}, not ${values.length}`;
  }
  const bad = values.find((value) => instantMs(value) === undefined);
  return bad === undefined
    ? undefined
    : `${label}: "${bad}" is not an ISO-8601 date and time with a zone, such as 2026-01-31T00:00:00Z`;
}

function checkAttributeMap(
  label: string,
  map: Record<string, AttributeDimension> | undefined,
  budget: ValueBudget,
): string | undefined {
  for (const [name, dimension] of Object.entries(map ?? {})) {
    const problem = checkAttribute(`${label}.${name}`, dimension ?? {}, budget);
    if (problem) return problem;
  }
  return undefined;
}

function checkSet(label: string, dimension: SetDimension | undefined, budget: ValueBudget): string | undefined {
  if (!dimension) return undefined;
  return (
    oneOf(`${label}.DimensionType`, dimension.DimensionType, dimensionTypes) ?? budget.take(label, dimension.Values)
  );
}

function checkMetric(label: string, dimension: MetricDimension): string | undefined {
  if (!comparisonOperators.includes(dimension.ComparisonOperator as (typeof comparisonOperators)[number])) {
    return `${label}.ComparisonOperator must be one of ${comparisonOperators.join(", ")}`;
  }
  return typeof dimension.Value === "number" && Number.isFinite(dimension.Value)
    ? undefined
    : `${label}.Value must be a number`;
}

function checkGpsPoint(point: GPSPointDimension): string | undefined {
  const { Latitude, Longitude } = point.Coordinates ?? {};
  if (typeof Latitude !== "number" || Latitude < -90 || Latitude > 90) {
    return "Location.GPSPoint.Coordinates.Latitude must be from -90 to 90";
  }
  if (typeof Longitude !== "number" || Longitude < -180 || Longitude > 180) {
    return "Location.GPSPoint.Coordinates.Longitude must be from -180 to 180";
  }
  const range = point.RangeInKilometers;
  return typeof range === "number" && range > 0
    ? undefined
    : "Location.GPSPoint.RangeInKilometers must be a number of kilometres greater than 0";
}

function checkDimensions(dimensions: SegmentDimensions, budget: ValueBudget): string | undefined {
  const problem =
    checkAttributeMap("Attributes", dimensions.Attributes, budget) ??
    checkAttributeMap("UserAttributes", dimensions.UserAttributes, budget);
  if (problem) return problem;
  for (const [name, metric] of Object.entries(dimensions.Metrics ?? {})) {
    const invalid = checkMetric(`Metrics.${name}`, metric ?? {});
    if (invalid) return invalid;
  }
  const demographic = dimensions.Demographic ?? {};
  for (const name of ["AppVersion", "Channel", "DeviceType", "Make", "Model", "Platform"] as const) {
    const invalid = checkSet(`Demographic.${name}`, demographic[name], budget);
    if (invalid) return invalid;
  }
  const location = dimensions.Location ?? {};
  const invalid = checkSet("Location.Country", location.Country, budget);
  if (invalid) return invalid;
  if (location.GPSPoint) {
    const gps = checkGpsPoint(location.GPSPoint);
    if (gps) return gps;
  }
  const recency = dimensions.Behavior?.Recency;
  if (recency) {
    return (
      oneOf("Behavior.Recency.Duration", recency.Duration ?? "", Object.keys(recencyWindowMs)) ??
      oneOf("Behavior.Recency.RecencyType", recency.RecencyType ?? "", ["ACTIVE", "INACTIVE"])
    );
  }
  return undefined;
}

function checkGroup(label: string, group: SegmentGroup, budget: ValueBudget): string | undefined {
  const problem =
    oneOf(`${label}.Type`, group.Type, matchTypes) ?? oneOf(`${label}.SourceType`, group.SourceType, matchTypes);
  if (problem) return problem;
  for (const [i, source] of (group.SourceSegments ?? []).entries()) {
    if (typeof source?.Id !== "string" || source.Id === "") return `${label}.SourceSegments[${i}].Id is required`;
    if (source.Version !== undefined && (!Number.isInteger(source.Version) || source.Version < 1)) {
      return `${label}.SourceSegments[${i}].Version must be a version number from 1`;
    }
  }
  for (const [i, dimensions] of (group.Dimensions ?? []).entries()) {
    const invalid = checkDimensions(dimensions ?? {}, budget);
    if (invalid) return `${label}.Dimensions[${i}].${invalid}`;
  }
  return undefined;
}

function checkGroups(groups: SegmentGroupList, budget: ValueBudget): string | undefined {
  const problem = oneOf("SegmentGroups.Include", groups.Include, matchTypes);
  if (problem) return problem;
  for (const [i, group] of (groups.Groups ?? []).entries()) {
    const invalid = checkGroup(`SegmentGroups.Groups[${i}]`, group ?? {}, budget);
    if (invalid) return invalid;
  }
  return undefined;
}

/**
 * Checks a dimensional segment's criteria: Dimensions or SegmentGroups, not both, as Pinpoint says.
 * @example checkDefinition({ Dimensions: { Demographic: { Platform: { Values: ["iOS"] } } } }) // undefined
 */
export function checkDefinition(definition: SegmentDefinition): string | undefined {
  if (definition.Dimensions && definition.SegmentGroups) {
    return "A segment has Dimensions or SegmentGroups, not both";
  }
  const budget = new ValueBudget();
  if (definition.Dimensions) {
    const problem = checkDimensions(definition.Dimensions, budget);
    if (problem) return `Dimensions.${problem}`;
  }
  return definition.SegmentGroups ? checkGroups(definition.SegmentGroups, budget) : undefined;
}
