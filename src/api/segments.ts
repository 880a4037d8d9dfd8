/** Segments and their versions, and Waymark's segment size extension. */
import type { WriteSegmentRequest } from "@aws-sdk/client-pinpoint";
import { readPage } from "../paging.js";
import {
  createSegment,
  deleteSegment,
  getSegment,
  getSegmentVersion,
  listSegments,
  listSegmentVersions,
  segmentSize,
  updateSegment,
} from "../segments/index.js";
import { badRequest } from "./errors.js";
import { type Handlers, member } from "./handler.js";

/** The `version` query parameter of GetSegmentSize: absent means the current version. */
function optionalVersion(value: unknown): number | undefined {
  if (value === undefined || value === "") return undefined;
  const version = Number(value);
  if (!Number.isInteger(version) || version < 1) throw badRequest("version must be a version number from 1");
  return version;
}

export const segmentHandlers: Handlers = {
  CreateSegment: (input, { services }) =>
    createSegment(services, member(input, "ApplicationId"), member<WriteSegmentRequest>(input, "WriteSegmentRequest")),
  GetSegment: (input, { services }) => getSegment(services, member(input, "ApplicationId"), member(input, "SegmentId")),
  GetSegments: (input, { services }) =>
    listSegments(services, member(input, "ApplicationId"), readPage(input.PageSize, input.Token)),
  UpdateSegment: (input, { services }) =>
    updateSegment(
      services,
      member(input, "ApplicationId"),
      member(input, "SegmentId"),
      member<WriteSegmentRequest>(input, "WriteSegmentRequest"),
    ),
  DeleteSegment: (input, { services }) =>
    deleteSegment(services, member(input, "ApplicationId"), member(input, "SegmentId")),
  GetSegmentVersion: (input, { services }) =>
    getSegmentVersion(services, member(input, "ApplicationId"), member(input, "SegmentId"), member(input, "Version")),
  GetSegmentVersions: (input, { services }) =>
    listSegmentVersions(
      services,
      member(input, "ApplicationId"),
      member(input, "SegmentId"),
      readPage(input.PageSize, input.Token),
    ),
  GetSegmentSize: (input, { services }) =>
    segmentSize(services, member(input, "ApplicationId"), member(input, "SegmentId"), optionalVersion(input.Version)),
};
