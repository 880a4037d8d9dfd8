/**
 * The endpoint_dimensions table: each endpoint as segments read it, one narrow row written in the
 * same transaction as the endpoint (endpoints/queries.ts writeEndpoints; RemoveAttributes rewrites
 * it too) and deleted with it (a cascading foreign key). Segments are evaluated on this table
 * alone; only CONTAINS reads the endpoint itself.
 *
 * Why a second table. Counting a segment reads every endpoint of the app, and the endpoints table
 * is wide (addresses, dates, five JSON documents). Counting a 3-dimension segment (an attribute,
 * the platform and two countries) over 1,000,000 endpoints, on this 2-core machine shared with
 * other work (SQLite 3.53, PostgreSQL 15):
 * - json_extract on the endpoints table, SQLite: 530-870 ms. Scanning the table alone took ~180 ms;
 *   each json_extract added ~0.5 µs a row, for parsing the document.
 * - jsonb containment (@>) on the endpoints table, PostgreSQL: 290-360 ms, a parallel scan. GIN
 *   indexes (jsonb_path_ops) made it slower, 430-500 ms: a third of the endpoints match each
 *   criterion, so the bitmap heap scan still visits every page and rechecks each row.
 * - one row per (endpoint, attribute value), intersected through a B-tree: SQLite ~170 ms, but
 *   PostgreSQL 1-3 s, and ~9 index rows to write per endpoint (+30 s on a 1M-row import).
 * - everything in one delimited string, a substring test per criterion: SQLite 600-900 ms, because
 *   instr costs ~1.5 ns per byte of the string, ~150 ns a row; PostgreSQL ~360 ms.
 * - this table (bench/segment-size.bench.js): SQLite 187-246 ms, PostgreSQL 107-149 ms (medians of
 *   7, two runs).
 *
 * Its cost on writes: ~3 µs of JS per endpoint and one more upsert per 500 endpoints. PutEvents'
 * endpoint writes (10 endpoints a transaction) went from 0.55 to 0.80 ms on SQLite and from 1.7 to
 * 2.4 ms on PostgreSQL; bench/put-events.bench.js (10 s) stayed at 14,600-17,500 events/s on SQLite
 * (13,700-18,900 before) and fell to 7,600-8,500 on PostgreSQL (8,200-10,300 before). A 1M-row CSV
 * import on SQLite went from 39.4 s to 52.9 s (bench/import.bench.js, target 60 s).
 *
 * The columns:
 * - channel_type, platform, make, model, app_version, device_type, country: the single-valued
 *   criteria (Demographic and Location.Country), compared for equality.
 * - terms: every attribute and user attribute value, as `\x1f` + term + `\x1f` + term ..., a term
 *   being a kind letter + name + `\x1e` + value, so INCLUSIVE and EXCLUSIVE are substring tests
 *   that need no parsing; term_bits, a 52-bit signature of the terms, lets most rows without the
 *   value skip that test (one attribute alone: 300 ms with instr only, 215 ms with the bits first).
 * - active_ms: EffectiveDate in epoch milliseconds, for Behavior.Recency.
 * - latitude, longitude: Location's coordinates, for GPSPoint.
 * - metrics: a copy of Metrics, for metric comparisons.
 * - instants: the attribute values that read as ISO-8601 instants, in epoch milliseconds, by kind
 *   and name, for BEFORE, AFTER, ON and BETWEEN: parsed once here, with one parser, rather than by
 *   each database's date functions at query time.
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
const reserved = /[\x1c-\x1f%]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const everyReserved = /[\x1c-\x1f%]/g;

/** Keeps the separators (and the escape character itself) out of names and values. */
function escapeTermPart(text: string): string {
  if (!reserved.test(text)) return text;
  return text.replace(everyReserved, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
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
 * Which of 52 bits a term sets in the term_bits column (FNV-1a hash): 52, so that every mask is an
 * exact JS number. Testing the bits first is an integer AND, and skips the substring search on most
 * rows that lack the term (a bit is set by chance in ~10% of rows with a handful of attributes).
 */
function termBit(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % 52;
}

function maskOf(terms: string[]): number {
  let mask = 0;
  for (const bit of new Set(terms.map(termBit))) mask += 2 ** bit;
  return mask;
}

/**
 * The term_bits an endpoint with any of these values has at least one of.
 * @example termMask("Attributes", "Plan", ["gold"]) // 2 ** 17, say
 */
export function termMask(kind: TermKind, name: string, values: string[]): number {
  return maskOf(values.map((value) => term(kind, name, value)));
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
    term_bits: maskOf(terms),
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
  "term_bits",
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
