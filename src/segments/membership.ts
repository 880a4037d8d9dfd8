/**
 * Which of some endpoints are in a segment, or match criteria given inline: what a journey's
 * split on a segment and an event journey's SegmentId ask of each participant, evaluated for a
 * whole batch of participants in one query rather than endpoint by endpoint.
 */
import type { SegmentDimensions } from "@aws-sdk/client-pinpoint";
import type { Services } from "../services.js";
import { audienceCondition, requireSegmentVersion, segmentSource } from "./audience.js";
import type { ResolvedSource } from "./model.js";

/** A segment (its current version without a version), or segment criteria given inline. */
export type SegmentTarget = { segmentId: string; version?: number } | { dimensions: SegmentDimensions };

/**
 * Both databases take tens of thousands of bound values in a statement (SQLite 32,766, PostgreSQL
 * 65,535); batches larger than this are asked about in several queries.
 */
const idsPerQuery = 10_000;

async function targetSource(services: Services, appId: string, target: SegmentTarget): Promise<ResolvedSource> {
  if ("dimensions" in target) return { segmentType: "DIMENSIONAL", definition: { Dimensions: target.dimensions } };
  return segmentSource(await requireSegmentVersion(services.store.db, appId, target.segmentId, target.version));
}

/**
 * The endpoints among `endpointIds` that are in the segment now. An unknown segment is Pinpoint's
 * 404 (NotFoundException); an endpoint id that does not exist is simply not a member.
 * @example
 * const members = await segmentMembers(services, appId, { segmentId: "power-users" }, ["e1", "e2"]);
 * members.has("e1") // true when e1 is a power user
 */
export async function segmentMembers(
  services: Services,
  appId: string,
  target: SegmentTarget,
  endpointIds: string[],
): Promise<Set<string>> {
  const members = new Set<string>();
  if (endpointIds.length === 0) return members;
  const condition = await audienceCondition(services, appId, await targetSource(services, appId, target));
  for (let start = 0; start < endpointIds.length; start += idsPerQuery) {
    const rows = await services.store.db
      .selectFrom("endpoint_dimensions")
      .select("endpoint_dimensions.endpoint_id")
      .where("endpoint_dimensions.app_id", "=", appId)
      .where("endpoint_dimensions.endpoint_id", "in", endpointIds.slice(start, start + idsPerQuery))
      .where(condition)
      .execute();
    for (const row of rows) members.add(row.endpoint_id);
  }
  return members;
}
