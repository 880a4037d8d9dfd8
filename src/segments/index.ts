/**
 * Segments: create, read, list, update (each update a new version), delete, and who is in one
 * (countSegment, segmentEndpoints), for the API, campaigns and journeys.
 */
import { randomUUID } from "node:crypto";
import type { SegmentResponse, WriteSegmentRequest } from "@aws-sdk/client-pinpoint";
import { badRequest, notFound } from "../api/errors.js";
import { requireApp, validateTags } from "../apps/index.js";
import { segmentUpdated } from "../journeys/triggers/index.js";
import { nextToken, type Page } from "../paging.js";
import type { Services } from "../services.js";
import { requireSegmentVersion } from "./audience.js";
import type { SegmentDefinition, SegmentVersion } from "./model.js";
import {
  deleteSegmentRows,
  dimensionalSegments,
  insertSegment,
  listSegmentRows,
  listVersionRows,
  readSegment,
  replaceSegment,
} from "./queries.js";
import { baseSegments, resolveSources } from "./resolve.js";
import { toResponse } from "./response.js";
import { checkDefinition } from "./validate.js";

export { countSegment, segmentEndpointIds, segmentEndpoints, segmentSize } from "./audience.js";
export { instantMs } from "./endpoint-dimensions.js";
export { type SegmentTarget, segmentMembers } from "./membership.js";
export { segmentArn } from "./response.js";

/** The criteria a request gives, checked (400) and with its base segments found (400). */
async function acceptedDefinition(
  services: Services,
  appId: string,
  request: WriteSegmentRequest,
  ownId?: string,
): Promise<SegmentDefinition> {
  const definition: SegmentDefinition = {};
  if (request.Dimensions) definition.Dimensions = request.Dimensions;
  if (request.SegmentGroups) definition.SegmentGroups = request.SegmentGroups;
  const problem = checkDefinition(definition);
  if (problem) throw badRequest(problem);
  await resolveSources(services.store.db, appId, definition, ownId);
  return definition;
}

/** CreateSegment: a dimensional segment at version 1. */
export async function createSegment(
  services: Services,
  appId: string,
  request: WriteSegmentRequest,
): Promise<SegmentResponse> {
  await requireApp(services, appId);
  const tags = request.tags ?? {};
  validateTags(tags);
  const definition = await acceptedDefinition(services, appId, request);
  const now = new Date().toISOString();
  const segment: SegmentVersion = {
    appId,
    id: randomUUID().replaceAll("-", ""),
    name: request.Name ?? "",
    segmentType: "DIMENSIONAL",
    version: 1,
    definition,
    creationDate: now,
    lastModifiedDate: now,
    tags,
  };
  await insertSegment(services.store.db, segment);
  return toResponse(services.config, segment);
}

export async function getSegment(services: Services, appId: string, segmentId: string): Promise<SegmentResponse> {
  return toResponse(services.config, await requireSegmentVersion(services.store.db, appId, segmentId));
}

export async function getSegmentVersion(services: Services, appId: string, segmentId: string, version: string) {
  const number = Number(version);
  if (!Number.isInteger(number) || number < 1) throw badRequest("The version must be a version number from 1");
  return toResponse(services.config, await requireSegmentVersion(services.store.db, appId, segmentId, number));
}

/** GetSegments: the app's segments (their current versions), oldest first. */
export async function listSegments(services: Services, appId: string, page: Page) {
  await requireApp(services, appId);
  const segments = await listSegmentRows(services.store.db, appId, page);
  return {
    Item: segments.map((segment) => toResponse(services.config, segment)),
    NextToken: nextToken(segments, page, (segment: SegmentVersion) => [segment.creationDate, segment.id]),
  };
}

/** GetSegmentVersions: every version of the segment, oldest first. */
export async function listSegmentVersions(services: Services, appId: string, segmentId: string, page: Page) {
  const current = await requireSegmentVersion(services.store.db, appId, segmentId);
  const versions = await listVersionRows(services.store.db, current, page);
  return {
    Item: versions.map((segment) => toResponse(services.config, segment)),
    NextToken: nextToken(versions, page, (segment: SegmentVersion) => [String(segment.version)]),
  };
}

/**
 * UpdateSegment: the request's criteria (or the current ones, when it gives none) become a new
 * version. An imported segment's members come from its import jobs, so only its name can change.
 * Tags are not updated here: Pinpoint ignores them on update (TagResource changes them).
 */
export async function updateSegment(
  services: Services,
  appId: string,
  segmentId: string,
  request: WriteSegmentRequest,
): Promise<SegmentResponse> {
  const { db, dialect } = services.store;
  const current = await requireSegmentVersion(db, appId, segmentId);
  const changesCriteria = Boolean(request.Dimensions || request.SegmentGroups);
  if (current.segmentType === "IMPORT" && changesCriteria) {
    throw badRequest(`Segment ${segmentId} is an imported segment: its endpoints come from import jobs, not criteria`);
  }
  const definition = changesCriteria
    ? await acceptedDefinition(services, appId, request, segmentId)
    : current.definition;
  const { next, refreshed } = await db.transaction().execute(async (trx) => {
    const latest = await readSegment(trx, appId, segmentId, dialect);
    if (!latest) throw notFound(`Segment not found: ${segmentId}`);
    const updated: SegmentVersion = {
      ...latest,
      name: request.Name ?? latest.name,
      version: latest.version + 1,
      definition: changesCriteria ? definition : latest.definition,
      lastModifiedDate: new Date().toISOString(),
    };
    await replaceSegment(trx, latest, updated);
    return { next: updated, refreshed: await segmentUpdated(trx, services, appId, segmentId) };
  });
  if (refreshed > 0) services.wake.jobs();
  return toResponse(services.config, next);
}

/**
 * DeleteSegment. A segment another segment builds on is refused: deleting it would leave that
 * segment impossible to evaluate. (Pinpoint does not document this case.)
 */
export async function deleteSegment(services: Services, appId: string, segmentId: string): Promise<SegmentResponse> {
  const { db } = services.store;
  return db.transaction().execute(async (trx) => {
    const segment = await requireSegmentVersion(trx, appId, segmentId);
    const dependants = (await dimensionalSegments(trx, appId)).filter((other) =>
      baseSegments(other.definition.SegmentGroups).some((group) => group.some((source) => source.Id === segmentId)),
    );
    if (dependants.length > 0) {
      throw badRequest(
        `Segment ${segmentId} is a base segment of ${dependants.map((other) => other.id).join(", ")}; change those first`,
      );
    }
    await deleteSegmentRows(trx, appId, segmentId);
    return toResponse(services.config, segment);
  });
}
