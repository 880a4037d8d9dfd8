/** A segment version as Pinpoint answers it (SegmentResponse). */
import type { SegmentResponse } from "@aws-sdk/client-pinpoint";
import { appArn } from "../apps/index.js";
import type { Config } from "../config.js";
import type { SegmentVersion } from "./model.js";

/** @example segmentArn(config, appId, segmentId) // "arn:aws:mobiletargeting:us-east-1:000000000000:apps/<app>/segments/<id>" */
export function segmentArn(config: Pick<Config, "region" | "accountId">, appId: string, segmentId: string): string {
  return `${appArn(config, appId)}/segments/${segmentId}`;
}

export function toResponse(config: Pick<Config, "region" | "accountId">, segment: SegmentVersion): SegmentResponse {
  return {
    ApplicationId: segment.appId,
    Arn: segmentArn(config, segment.appId, segment.id),
    Id: segment.id,
    Name: segment.name,
    SegmentType: segment.segmentType,
    Version: segment.version,
    CreationDate: segment.creationDate,
    LastModifiedDate: segment.lastModifiedDate,
    Dimensions: segment.definition.Dimensions,
    SegmentGroups: segment.definition.SegmentGroups,
    ImportDefinition: segment.definition.ImportDefinition,
    tags: segment.tags,
  };
}
