/**
 * One SegmentDimensions object as a SQL condition on an endpoint's endpoint_dimensions row (and,
 * for CONTAINS only, on its endpoints row, through a correlated subquery). Pure: the database
 * differences come from the dialect.
 *
 * A comparison with a missing value (no such metric, no country) is null in SQL, not false. Under
 * AND and OR a null acts as false, as it should; only NOT would turn it into null again rather than
 * true, so each NOT (NONE, EXCLUSIVE) reads null as false first. That keeps endpoints that lack the
 * data in a NONE group, and costs one coalesce per NOT rather than one per comparison, which on
 * SQLite is ~40 ms in a 1M-endpoint count.
 */
import type {
  AttributeDimension,
  GPSPointDimension,
  MetricDimension,
  RecencyDimension,
  SegmentDimensions,
  SetDimension,
} from "@aws-sdk/client-pinpoint";
import { type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Database, StoreDialect } from "../store/index.js";
import {
  instantMs,
  instantsKey,
  setDimensionColumns,
  type TermKind,
  termFragment,
  termMask,
  termNeedle,
} from "./endpoint-dimensions.js";
import { recencyWindowMs } from "./model.js";

/** What a segment condition reads: an endpoint's endpoint_dimensions row. */
export type SegmentScope = ExpressionBuilder<Database, "endpoint_dimensions">;

export type Condition = (eb: SegmentScope) => Expression<SqlBool>;

/** What compiling needs besides the definition: the database's dialect and the time "now" is. */
export interface CompileContext {
  dialect: StoreDialect;
  now: Date;
}

const dayMs = 86_400_000;
const earthRadiusKm = 6371.0088;

export const always: Condition = (eb) => eb.lit(true);

export function allOf(conditions: Condition[]): Condition {
  return conditions.length === 0 ? always : (eb) => eb.and(conditions.map((c) => c(eb)));
}

export function anyOf(conditions: Condition[]): Condition {
  return conditions.length === 0 ? always : (eb) => eb.or(conditions.map((c) => c(eb)));
}

export function noneOf(conditions: Condition[]): Condition {
  return conditions.length === 0
    ? always
    : (eb) => eb.not(sql<SqlBool>`coalesce(${eb.or(conditions.map((c) => c(eb)))}, false)`);
}

/** One of the attribute's values: its bit in term_bits first, then the exact term in terms. */
function hasTerm(kind: TermKind, name: string, values: string[], { dialect }: CompileContext): Condition {
  const mask = sql.lit(termMask(kind, name, values));
  return (eb) =>
    eb.and([
      sql<SqlBool>`(${eb.ref("endpoint_dimensions.term_bits")} & ${mask}) <> 0`,
      eb.or(
        values.map((value) => dialect.textContains(eb.ref("endpoint_dimensions.terms"), termNeedle(kind, name, value))),
      ),
    ]);
}

/** A demographic field, the channel or the country: one column, compared for equality. */
function setDimension(field: keyof typeof setDimensionColumns, dimension: SetDimension): Condition {
  const column = `endpoint_dimensions.${setDimensionColumns[field]}` as const;
  const present: Condition = (eb) => eb(column, "in", dimension.Values ?? []);
  return dimension.DimensionType === "EXCLUSIVE" ? noneOf([present]) : present;
}

/** BEFORE, AFTER, ON and BETWEEN, on the attribute's values that are instants. */
function dateCondition(
  kind: "Attributes" | "UserAttributes",
  name: string,
  dimension: AttributeDimension,
  { dialect }: CompileContext,
): Condition {
  const [first, second] = (dimension.Values ?? []).map((value) => instantMs(value) ?? Number.NaN);
  const test = (value: RawBuilder<unknown>): RawBuilder<SqlBool> => {
    switch (dimension.AttributeType) {
      case "BEFORE":
        return sql<SqlBool>`${value} < ${first}`;
      case "AFTER":
        return sql<SqlBool>`${value} > ${first}`;
      case "ON": {
        const day = Math.floor(first / dayMs) * dayMs;
        return sql<SqlBool>`${value} >= ${day} and ${value} < ${day + dayMs}`;
      }
      default:
        return sql<SqlBool>`${value} between ${Math.min(first, second)} and ${Math.max(first, second)}`;
    }
  };
  return (eb) => dialect.jsonArraySome(eb.ref("endpoint_dimensions.instants"), instantsKey(kind, name), "number", test);
}

function attributeDimension(
  kind: "Attributes" | "UserAttributes",
  name: string,
  dimension: AttributeDimension,
  context: CompileContext,
): Condition {
  const values = dimension.Values ?? [];
  switch (dimension.AttributeType ?? "INCLUSIVE") {
    case "INCLUSIVE":
      return hasTerm(kind, name, values, context);
    case "EXCLUSIVE":
      return noneOf([hasTerm(kind, name, values, context)]);
    case "CONTAINS": {
      // The terms column holds every value, so a value with the substring puts it there too: that
      // cheap test comes first, and only the endpoints it leaves are read from the endpoints table.
      const column = kind === "Attributes" ? "endpoints.attributes" : "endpoints.user_attributes";
      const { dialect } = context;
      return (eb) =>
        eb.and([
          eb.or(
            values.map((needle) => dialect.textContains(eb.ref("endpoint_dimensions.terms"), termFragment(needle))),
          ),
          eb.exists(
            eb
              .selectFrom("endpoints")
              .select(sql.lit(1).as("found"))
              .whereRef("endpoints.app_id", "=", "endpoint_dimensions.app_id")
              .whereRef("endpoints.id", "=", "endpoint_dimensions.endpoint_id")
              .where((endpoint) =>
                dialect.jsonArraySome(endpoint.ref(column), name, "text", (value) =>
                  endpoint.or(values.map((needle) => dialect.textContains(value as RawBuilder<string>, needle))),
                ),
              ),
          ),
        ]);
    }
    default:
      return dateCondition(kind, name, dimension, context);
  }
}

const comparisons: Record<string, string> = {
  GREATER_THAN: ">",
  LESS_THAN: "<",
  GREATER_THAN_OR_EQUAL: ">=",
  LESS_THAN_OR_EQUAL: "<=",
  EQUAL: "=",
};

function metricDimension(name: string, dimension: MetricDimension, { dialect }: CompileContext): Condition {
  const operator = sql.raw(comparisons[dimension.ComparisonOperator ?? "EQUAL"]);
  return (eb) =>
    sql<SqlBool>`${dialect.jsonNumber(eb.ref("endpoint_dimensions.metrics"), name)} ${operator} ${dimension.Value}`;
}

/**
 * Within RangeInKilometers of the point, by the haversine great-circle distance. A latitude band
 * (1° of latitude is ~111.2 km everywhere) skips the trigonometry for most endpoints.
 */
function gpsDimension(point: GPSPointDimension): Condition {
  const latitude = point.Coordinates?.Latitude ?? 0;
  const longitude = point.Coordinates?.Longitude ?? 0;
  const range = point.RangeInKilometers ?? 0;
  const band = range / 111.19 + 0.01;
  return (eb) => {
    const lat = eb.ref("endpoint_dimensions.latitude");
    const lon = eb.ref("endpoint_dimensions.longitude");
    const haversine = sql`power(sin(radians(${lat} - ${latitude}) / 2), 2) + cos(radians(${latitude})) * cos(radians(${lat})) * power(sin(radians(${lon} - ${longitude}) / 2), 2)`;
    return sql<SqlBool>`${lat} between ${latitude - band} and ${latitude + band} and ${2 * earthRadiusKm} * asin(sqrt(${haversine})) <= ${range}`;
  };
}

/**
 * ACTIVE or INACTIVE within the Duration before now, by the endpoint's EffectiveDate: Pinpoint's
 * SDKs update the endpoint at each session, so its EffectiveDate is when it was last active.
 */
function recencyDimension(recency: RecencyDimension, { now }: CompileContext): Condition {
  const since = now.getTime() - (recencyWindowMs[recency.Duration ?? ""] ?? 0);
  return (eb) => eb("endpoint_dimensions.active_ms", recency.RecencyType === "INACTIVE" ? "<" : ">=", since);
}

/**
 * Everything one SegmentDimensions asks, all of which must hold. The cheapest tests come first
 * (column equality, then numbers, then substrings, then JSON), as SQLite evaluates them in order.
 * @example dimensionsCondition({ Demographic: { Platform: { Values: ["iOS"] } } }, { dialect, now: new Date() })
 */
export function dimensionsCondition(dimensions: SegmentDimensions, context: CompileContext): Condition {
  const conditions: Condition[] = [];
  const demographic = dimensions.Demographic ?? {};
  for (const field of ["AppVersion", "Channel", "DeviceType", "Make", "Model", "Platform"] as const) {
    const dimension = demographic[field];
    if (dimension) conditions.push(setDimension(field, dimension));
  }
  if (dimensions.Location?.Country) conditions.push(setDimension("Country", dimensions.Location.Country));
  if (dimensions.Behavior?.Recency) conditions.push(recencyDimension(dimensions.Behavior.Recency, context));
  if (dimensions.Location?.GPSPoint) conditions.push(gpsDimension(dimensions.Location.GPSPoint));
  for (const kind of ["Attributes", "UserAttributes"] as const) {
    for (const [name, dimension] of Object.entries(dimensions[kind] ?? {})) {
      conditions.push(attributeDimension(kind, name, dimension, context));
    }
  }
  for (const [name, dimension] of Object.entries(dimensions.Metrics ?? {})) {
    conditions.push(metricDimension(name, dimension, context));
  }
  return allOf(conditions);
}
