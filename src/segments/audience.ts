/**
 * Who is in a segment, evaluated in the database: how many (countSegment) and which endpoints, in
 * pages by endpoint id (segmentEndpoints), so an audience of millions never sits in memory.
 */
import type { Kysely } from "kysely";
import { notFound } from "../api/errors.js";
import { type Endpoint, fromRow } from "../endpoints/index.js";
import type { Services } from "../services.js";
import type { Database } from "../store/index.js";
import { type Condition, sourceCondition } from "./compile.js";
import type { ResolvedSource, SegmentVersion } from "./model.js";
import { readSegment, readSegmentVersion } from "./queries.js";
import { resolveSources } from "./resolve.js";

/** The segment version asked for (the current one without a version), or Pinpoint's 404. */
export async function requireSegmentVersion(
  db: Kysely<Database>,
  appId: string,
  segmentId: string,
  version?: number,
): Promise<SegmentVersion> {
  const segment =
    version === undefined
      ? await readSegment(db, appId, segmentId)
      : await readSegmentVersion(db, appId, segmentId, version);
  if (!segment) {
    throw notFound(
      version === undefined ? `Segment not found: ${segmentId}` : `Segment ${segmentId} has no version ${version}`,
    );
  }
  return segment;
}

/** What a segment version is evaluated as: its criteria, or its imported members. */
export function segmentSource(segment: SegmentVersion): ResolvedSource {
  return segment.segmentType === "IMPORT"
    ? { segmentType: "IMPORT", id: segment.id }
    : { segmentType: "DIMENSIONAL", definition: segment.definition };
}

/**
 * The condition for a segment, or for criteria given inline, with its base segments resolved and
 * "now" fixed for the whole evaluation.
 * @example db.selectFrom("endpoint_dimensions").where(await audienceCondition(services, appId, source))
 */
export async function audienceCondition(services: Services, appId: string, source: ResolvedSource): Promise<Condition> {
  const { db, dialect } = services.store;
  const sources = source.segmentType === "IMPORT" ? new Map() : await resolveSources(db, appId, source.definition);
  return sourceCondition(source, { appId, dialect, now: new Date(), sources });
}

async function segmentCondition(services: Services, segment: SegmentVersion): Promise<Condition> {
  return audienceCondition(services, segment.appId, segmentSource(segment));
}

/** How many endpoints are in the segment now: one pass over the app's endpoint_dimensions rows. */
async function sizeOf(services: Services, segment: SegmentVersion): Promise<number> {
  const condition = await segmentCondition(services, segment);
  const row = await services.store.db
    .selectFrom("endpoint_dimensions")
    .select((eb) => eb.fn.countAll<number>().as("size"))
    .where("endpoint_dimensions.app_id", "=", segment.appId)
    .where(condition)
    .executeTakeFirstOrThrow();
  return Number(row.size);
}

/** @example await countSegment(services, appId, segmentId) // 48213 */
export async function countSegment(
  services: Services,
  appId: string,
  segmentId: string,
  version?: number,
): Promise<number> {
  return sizeOf(services, await requireSegmentVersion(services.store.db, appId, segmentId, version));
}

/** Waymark's GetSegmentSize extension: the count, with the version it counted. */
export async function segmentSize(services: Services, appId: string, segmentId: string, version?: number) {
  const segment = await requireSegmentVersion(services.store.db, appId, segmentId, version);
  const size = await sizeOf(services, segment);
  return { ApplicationId: appId, SegmentId: segmentId, Version: segment.version, Size: size };
}

/**
 * The segment's endpoints in pages of `pageSize` (default 1000), in endpoint id order: each page of
 * segmentEndpointIds read whole. `after` resumes a fan-out that stopped after that endpoint id.
 * @example for await (const page of segmentEndpoints(services, appId, segmentId)) await send(page);
 */
export async function* segmentEndpoints(
  services: Services,
  appId: string,
  segmentId: string,
  options: { version?: number; pageSize?: number; after?: string } = {},
): AsyncGenerator<Endpoint[]> {
  for await (const ids of segmentEndpointIds(services, appId, segmentId, options)) {
    const rows = await services.store.db
      .selectFrom("endpoints")
      .selectAll()
      .where("app_id", "=", appId)
      .where("id", "in", ids)
      .orderBy("id")
      .execute();
    if (rows.length > 0) yield rows.map(fromRow);
  }
}

/**
 * The segment's endpoint ids, paged as segmentEndpoints pages endpoints: what a journey fan-out
 * needs. Read from endpoint_dimensions alone, with no endpoint row to read and parse, a page costs
 * an eighth of segmentEndpoints' (100,000 ids in 0.07 s against 0.6 s on SQLite, 0.23 s against
 * 1.95 s on PostgreSQL).
 * @example for await (const ids of segmentEndpointIds(services, appId, segmentId, { after: cursor })) await enter(ids);
 */
export async function* segmentEndpointIds(
  services: Services,
  appId: string,
  segmentId: string,
  options: { version?: number; pageSize?: number; after?: string } = {},
): AsyncGenerator<string[]> {
  const { db } = services.store;
  const pageSize = options.pageSize ?? 1000;
  const segment = await requireSegmentVersion(db, appId, segmentId, options.version);
  const condition = await segmentCondition(services, segment);
  let after = options.after ?? "";
  for (;;) {
    const rows = await db
      .selectFrom("endpoint_dimensions")
      .select("endpoint_dimensions.endpoint_id")
      .where("endpoint_dimensions.app_id", "=", appId)
      .where("endpoint_dimensions.endpoint_id", ">", after)
      .where(condition)
      .orderBy("endpoint_dimensions.endpoint_id")
      .limit(pageSize)
      .execute();
    if (rows.length > 0) yield rows.map((row) => row.endpoint_id);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].endpoint_id;
  }
}
