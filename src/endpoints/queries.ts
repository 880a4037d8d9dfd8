/**
 * Endpoint rows in and out of the store. Every function takes the Kysely handle to use, so callers
 * can run several inside one transaction.
 */
import { CompiledQuery, type Kysely, type Selectable } from "kysely";
import { writeEndpointDimensions } from "../segments/endpoint-dimensions.js";
import { type Database, fromJson, type StoreDialect, toJson } from "../store/index.js";
import type { EndpointsTable } from "../store/schema.js";
import type { Endpoint } from "./model.js";

type Row = Selectable<EndpointsTable>;

export function fromRow(row: Row): Endpoint {
  return {
    ApplicationId: row.app_id,
    Id: row.id,
    ChannelType: row.channel_type ?? undefined,
    Address: row.address ?? undefined,
    Attributes: fromJson(row.attributes),
    Metrics: fromJson(row.metrics),
    User: { UserId: row.user_id ?? undefined, UserAttributes: fromJson(row.user_attributes) },
    Demographic: fromJson(row.demographic),
    Location: fromJson(row.location),
    OptOut: row.opt_out,
    EndpointStatus: row.endpoint_status,
    EffectiveDate: row.effective_date,
    CreationDate: row.creation_date,
    CohortId: row.cohort_id,
    RequestId: row.request_id ?? undefined,
  };
}

function toRow(endpoint: Endpoint): Row {
  return {
    app_id: endpoint.ApplicationId,
    id: endpoint.Id,
    channel_type: endpoint.ChannelType ?? null,
    address: endpoint.Address ?? null,
    user_id: endpoint.User.UserId ?? null,
    opt_out: endpoint.OptOut,
    endpoint_status: endpoint.EndpointStatus,
    effective_date: endpoint.EffectiveDate,
    creation_date: endpoint.CreationDate,
    cohort_id: endpoint.CohortId,
    request_id: endpoint.RequestId ?? null,
    attributes: toJson(endpoint.Attributes),
    metrics: toJson(endpoint.Metrics),
    user_attributes: toJson(endpoint.User.UserAttributes),
    demographic: toJson(endpoint.Demographic),
    location: toJson(endpoint.Location),
  };
}

/** Reads the endpoints with these ids, locking them for the transaction where the database can. */
export async function readEndpoints(
  db: Kysely<Database>,
  dialect: StoreDialect,
  appId: string,
  ids: string[],
): Promise<Map<string, Endpoint>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("endpoints")
    .selectAll()
    .where("app_id", "=", appId)
    .where("id", "in", ids)
    .$if(dialect.supportsSkipLocked, (q) => q.forUpdate())
    .execute();
  return new Map(rows.map((row) => [row.id, fromRow(row)]));
}

const updatableColumns = [
  "channel_type",
  "address",
  "user_id",
  "opt_out",
  "endpoint_status",
  "effective_date",
  "request_id",
  "attributes",
  "metrics",
  "user_attributes",
  "demographic",
  "location",
] as const;

const rowsPerStatement = 500;

function upsertQuery(db: Kysely<Database>, rows: Row[]) {
  return db
    .insertInto("endpoints")
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(["app_id", "id"])
        .doUpdateSet((eb) =>
          Object.fromEntries(updatableColumns.map((column) => [column, eb.ref(`excluded.${column}`)])),
        ),
    );
}

/**
 * The SQL of a full-size upsert, built once per database: building a 500-row statement value by
 * value cost Kysely more than the database took to run it, on imports of many thousands of rows.
 */
const fullStatements = new WeakMap<object, string>();

/**
 * Inserts or replaces whole endpoints (already merged), in chunks the databases accept, and the
 * row each is evaluated by in segments.
 */
export async function writeEndpoints(db: Kysely<Database>, endpoints: Endpoint[]): Promise<void> {
  for (let i = 0; i < endpoints.length; i += rowsPerStatement) {
    const rows = endpoints.slice(i, i + rowsPerStatement).map(toRow);
    if (rows.length < rowsPerStatement) {
      await upsertQuery(db, rows).execute();
      continue;
    }
    const key = db.getExecutor().adapter;
    const text = fullStatements.get(key) ?? upsertQuery(db, rows).compile().sql;
    fullStatements.set(key, text);
    const columns = Object.keys(rows[0]) as Array<keyof Row>;
    const parameters: unknown[] = [];
    for (const row of rows) for (const column of columns) parameters.push(row[column]);
    await db.executeQuery(CompiledQuery.raw(text, parameters));
  }
  await writeEndpointDimensions(db, endpoints);
}

/**
 * Pinpoint marks INACTIVE every other endpoint that has the address an endpoint was just given,
 * so one address is reached once. Which endpoints lose does not depend on the order of the claims,
 * so a batch's claims are checked with one read per 500 addresses through the
 * (app_id, channel_type, address) index, and only endpoints that actually lose are written. (One
 * UPDATE with an OR per claim exceeds SQLite's expression depth past ~500 claims, and its planner
 * then scans every endpoint of the app.)
 */
export async function deactivateOtherEndpointsWithAddress(
  db: Kysely<Database>,
  appId: string,
  claims: Array<{ id: string; channelType: string | undefined; address: string }>,
): Promise<void> {
  const typed = claims.filter((claim) => claim.channelType !== undefined);
  for (let i = 0; i < typed.length; i += 500) {
    const batch = typed.slice(i, i + 500);
    const claimers = new Map<string, string[]>();
    for (const claim of batch) {
      const key = `${claim.channelType}\n${claim.address}`;
      claimers.set(key, [...(claimers.get(key) ?? []), claim.id]);
    }
    const holders = await db
      .selectFrom("endpoints")
      .select(["id", "channel_type", "address"])
      .where("app_id", "=", appId)
      .where("channel_type", "in", [...new Set(batch.map((claim) => claim.channelType ?? ""))])
      .where("address", "in", [...new Set(batch.map((claim) => claim.address))])
      .where("endpoint_status", "=", "ACTIVE")
      .execute();
    const losers = holders
      .filter((row) => claimers.get(`${row.channel_type}\n${row.address}`)?.some((id) => id !== row.id))
      .map((row) => row.id);
    if (losers.length > 0) {
      await db
        .updateTable("endpoints")
        .set({ endpoint_status: "INACTIVE" })
        .where("app_id", "=", appId)
        .where("id", "in", losers)
        .execute();
    }
  }
  // An endpoint without a channel type claims its address on every channel; these are rare.
  for (const claim of claims.filter((c) => c.channelType === undefined)) {
    await db
      .updateTable("endpoints")
      .set({ endpoint_status: "INACTIVE" })
      .where("app_id", "=", appId)
      .where("address", "=", claim.address)
      .where("id", "!=", claim.id)
      .where("endpoint_status", "=", "ACTIVE")
      .execute();
  }
}

/**
 * How many endpoints each user has, leaving out the given endpoint ids. The exclusion is applied
 * here rather than as a NOT IN list, which made SQLite build a temporary index for every batch.
 */
export async function countUserEndpoints(
  db: Kysely<Database>,
  appId: string,
  userIds: string[],
  exceptIds: string[],
): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("endpoints")
    .select(["user_id", "id"])
    .where("app_id", "=", appId)
    .where("user_id", "in", userIds)
    .execute();
  const except = new Set(exceptIds);
  const counts = new Map<string, number>();
  for (const row of rows) {
    if (except.has(row.id)) continue;
    counts.set(row.user_id ?? "", (counts.get(row.user_id ?? "") ?? 0) + 1);
  }
  return counts;
}

export async function readUserEndpoints(db: Kysely<Database>, appId: string, userId: string): Promise<Endpoint[]> {
  const rows = await db
    .selectFrom("endpoints")
    .selectAll()
    .where("app_id", "=", appId)
    .where("user_id", "=", userId)
    .orderBy("id")
    .execute();
  return rows.map(fromRow);
}

export async function deleteEndpointRows(db: Kysely<Database>, appId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom("endpoints").where("app_id", "=", appId).where("id", "in", ids).execute();
}
