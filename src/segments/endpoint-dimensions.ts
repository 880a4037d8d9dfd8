/**
 * The endpoint_dimensions table: each endpoint as segments read it, one narrow row written in the
 * same transaction as the endpoint (endpoints/queries.ts writeEndpoints) and deleted with it (a
 * cascading foreign key).
 *
 * Why a second table: counting a segment reads every endpoint of the app, and the endpoints table
 * is wide (addresses, dates, five JSON documents). Measured on 1,000,000 endpoints (2 cores,
 * SQLite 3.53, PostgreSQL 15), counting a 3-dimension segment (an attribute, the platform and two
 * countries) took:
 * - json_extract on the endpoints table, SQLite: 530-870 ms. A bare scan of the table was ~180 ms;
 *   each json_extract added ~0.5 µs a row, for parsing the document.
 * - jsonb containment (@>) on the endpoints table, PostgreSQL: 290-360 ms as a parallel scan; GIN
 *   indexes (jsonb_path_ops) made it slower, 430-500 ms: a third of the endpoints match each
 *   criterion, so the bitmap heap scan still visits every page, and rechecks each row.
 * - one row per (endpoint, attribute value) with a B-tree, intersected: SQLite ~170 ms, but
 *   PostgreSQL 1-3 s, and ~9 index rows written per endpoint (+30 s on a 1M-row import).
 * - this table, scanned with a substring test per criterion: SQLite ~170 ms quiet (280 ms with the
 *   machine busy), PostgreSQL ~150 ms quiet (265 ms busy). One extra row per endpoint write:
 *   +4 µs per endpoint in JS, measured by bench/put-events.bench.js and bench/import.bench.js.
 *
 * The columns:
 * - terms: every set-valued criterion as one delimited string, `\x1f` + term + `\x1f` + term ...,
 *   a term being kind + name + `\x1e` + value: attribute and user attribute values, the demographic
 *   fields segments filter on, the country and the channel. An INCLUSIVE/EXCLUSIVE criterion is
 *   then a substring test, which both databases run in tens of nanoseconds without parsing.
 * - active_ms: EffectiveDate in epoch milliseconds, for Behavior.Recency.
 * - latitude, longitude: Location's coordinates, for GPSPoint.
 * - metrics: a copy of Metrics, for metric comparisons.
 * - instants: the attribute values that read as ISO-8601 instants, in epoch milliseconds, by kind
 *   and name, for BEFORE, AFTER, ON and BETWEEN: parsed once here, with one parser, rather than by
 *   each database's date functions at query time.
 * CONTAINS (a substring of one value) reads the endpoint's own attributes, through a join.
 */
import { CompiledQuery, type Insertable, type Kysely } from "kysely";
import type { Endpoint } from "../endpoints/model.js";
import { type Database, toJson } from "../store/index.js";
import type { EndpointDimensionsTable } from "../store/schema.js";

const termSeparator = "\x1f";
const nameSeparator = "\x1e";

/** Which attributes a term comes from; a one-letter code keeps the terms short. */
export const termKinds = { Attributes: "a", UserAttributes: "u" } as const;
export type TermKind = keyof typeof termKinds;

/**
 * The single-valued fields segments filter on (SegmentDemographics, and Location's Country), each in
 * a column of its own: an equality test is cheaper than a substring test, and these are the most
 * used criteria.
 */
export const setDimensionColumns = {
  AppVersion: "app_version",
  Channel: "channel_type",
  DeviceType: "device_type",
  Make: "make",
  Model: "model",
  Platform: "platform",
  Country: "country",
} as const;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the separators are control characters on purpose, being rare in names and values
const reserved = /[\x1c-\x1f%]/g;

/** Keeps the separators (and the escape character itself) out of names and values. */
function escapeTermPart(text: string): string {
  return text.replace(reserved, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/**
 * How text appears inside a terms column: a value containing `text` is stored containing this.
 * @example termFragment("50%") // "50%25"
 */
export function termFragment(text: string): string {
  return escapeTermPart(text);
}

function term(kind: TermKind, name: string, value: string): string {
  return `${termKinds[kind]}${escapeTermPart(name)}${nameSeparator}${escapeTermPart(value)}`;
}

/**
 * What a terms column contains when the endpoint has this value.
 * @example termNeedle("Attributes", "Plan", "gold") // "\x1faPlan\x1egold\x1f"
 */
export function termNeedle(kind: TermKind, name: string, value: string): string {
  return `${termSeparator}${term(kind, name, value)}${termSeparator}`;
}

/** The key of an attribute's instants in the instants column. @example instantsKey("UserAttributes", "Birthday") // "uBirthday" */
export function instantsKey(kind: "Attributes" | "UserAttributes", name: string): string {
  return `${termKinds[kind]}${name}`;
}

const isoInstant = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An ISO-8601 date-time with a zone (what Pinpoint calls ISO_INSTANT) in epoch milliseconds, or
 * undefined for anything else, including dates that do not exist (February 30).
 * @example instantMs("2026-01-05T10:00:00Z") // 1767607200000
 */
export function instantMs(value: string): number | undefined {
  const m = isoInstant.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The endpoint_dimensions row for an endpoint. */
export function dimensionsRow(endpoint: Endpoint): Insertable<EndpointDimensionsTable> {
  const terms: string[] = [];
  const instants: Record<string, number[]> = {};
  for (const kind of ["Attributes", "UserAttributes"] as const) {
    const attributes = kind === "Attributes" ? endpoint.Attributes : endpoint.User.UserAttributes;
    for (const [name, values] of Object.entries(attributes)) {
      const times: number[] = [];
      for (const value of values) {
        terms.push(term(kind, name, value));
        const ms = instantMs(value);
        if (ms !== undefined) times.push(ms);
      }
      if (times.length > 0) instants[instantsKey(kind, name)] = times;
    }
  }
  const demographic = endpoint.Demographic as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  return {
    app_id: endpoint.ApplicationId,
    endpoint_id: endpoint.Id,
    channel_type: endpoint.ChannelType ?? null,
    platform: text(demographic.Platform),
    make: text(demographic.Make),
    model: text(demographic.Model),
    app_version: text(demographic.AppVersion),
    device_type: text(demographic.DeviceType),
    country: endpoint.Location.Country ?? null,
    terms: `${termSeparator}${terms.join(termSeparator)}${termSeparator}`,
    active_ms: Date.parse(endpoint.EffectiveDate) || 0,
    latitude: endpoint.Location.Latitude ?? null,
    longitude: endpoint.Location.Longitude ?? null,
    metrics: toJson(endpoint.Metrics),
    instants: toJson(instants),
  };
}

const updatedColumns = [
  ...Object.values(setDimensionColumns),
  "terms",
  "active_ms",
  "latitude",
  "longitude",
  "metrics",
  "instants",
] as const;
const rowsPerStatement = 500;

function upsertQuery(db: Kysely<Database>, rows: Array<Insertable<EndpointDimensionsTable>>) {
  return db
    .insertInto("endpoint_dimensions")
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(["app_id", "endpoint_id"])
        .doUpdateSet((eb) => Object.fromEntries(updatedColumns.map((c) => [c, eb.ref(`excluded.${c}`)]))),
    );
}

/**
 * Each statement's SQL by number of rows, built once per database. Kysely took ~400 µs to build a
 * 10-row upsert, more than SQLite took to prepare and run it (~160 µs); PutEvents writes 10 or so
 * endpoints a batch, and imports 500 at a time, so a handful of texts serve every write.
 */
const statements = new WeakMap<object, Map<number, string>>();

/**
 * Writes the dimensions rows of endpoints just written (their rows must exist: a foreign key).
 * @example await writeEndpointDimensions(trx, endpoints);
 */
export async function writeEndpointDimensions(db: Kysely<Database>, endpoints: Endpoint[]): Promise<void> {
  const adapter = db.getExecutor().adapter;
  const texts = statements.get(adapter) ?? new Map<number, string>();
  statements.set(adapter, texts);
  for (let i = 0; i < endpoints.length; i += rowsPerStatement) {
    const rows = endpoints.slice(i, i + rowsPerStatement).map(dimensionsRow);
    const text = texts.get(rows.length) ?? upsertQuery(db, rows).compile().sql;
    texts.set(rows.length, text);
    const columns = Object.keys(rows[0]) as Array<keyof (typeof rows)[number]>;
    const parameters: unknown[] = [];
    for (const row of rows) for (const column of columns) parameters.push(row[column]);
    await db.executeQuery(CompiledQuery.raw(text, parameters));
  }
}
