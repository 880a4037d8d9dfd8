/**
 * Segments as Pinpoint defines them: dimensional (criteria on endpoint data, or segment groups
 * built on base segments) or imported (a fixed list of endpoints from an import job). Every
 * UpdateSegment makes a new version; earlier versions stay readable.
 */
import type { SegmentDimensions, SegmentGroupList, SegmentImportResource } from "@aws-sdk/client-pinpoint";

/** What a segment version stores as its definition. */
export interface SegmentDefinition {
  Dimensions?: SegmentDimensions;
  SegmentGroups?: SegmentGroupList;
  /** Imported segments only: the import's file, format and counts. */
  ImportDefinition?: SegmentImportResource;
}

/** One version of a segment as the store holds it. */
export interface SegmentVersion {
  appId: string;
  id: string;
  name: string;
  segmentType: "DIMENSIONAL" | "IMPORT";
  version: number;
  definition: SegmentDefinition;
  creationDate: string;
  lastModifiedDate: string;
  tags: Record<string, string>;
}

/** A base segment pinned to what it is evaluated as: its criteria, or its imported members. */
export type ResolvedSource =
  | { segmentType: "DIMENSIONAL"; definition: SegmentDefinition }
  | { segmentType: "IMPORT"; id: string };

/** Base segments by `sourceKey`, resolved before compiling so that compiling needs no I/O. */
export type ResolvedSources = ReadonlyMap<string, ResolvedSource>;

/** @example sourceKey("3c1f...", 2) // "3c1f...@2"; sourceKey("3c1f...") // "3c1f...@latest" */
export function sourceKey(segmentId: string, version?: number): string {
  return `${segmentId}@${version ?? "latest"}`;
}

export const attributeTypes = ["INCLUSIVE", "EXCLUSIVE", "CONTAINS", "BEFORE", "AFTER", "ON", "BETWEEN"] as const;
export const dimensionTypes = ["INCLUSIVE", "EXCLUSIVE"] as const;
export const comparisonOperators = [
  "GREATER_THAN",
  "LESS_THAN",
  "GREATER_THAN_OR_EQUAL",
  "LESS_THAN_OR_EQUAL",
  "EQUAL",
] as const;
export const matchTypes = ["ALL", "ANY", "NONE"] as const;

/** How far back each recency Duration looks. */
export const recencyWindowMs: Record<string, number> = {
  HR_24: 24 * 3600_000,
  DAY_7: 7 * 86_400_000,
  DAY_14: 14 * 86_400_000,
  DAY_30: 30 * 86_400_000,
};

/**
 * Pinpoint's limits on a segment's criteria (user guide, "Building segments": values of at most
 * 100 characters, at most 100 values across all groups, criteria and filters).
 */
export const segmentLimits = {
  valueLength: 100,
  valuesPerSegment: 100,
} as const;
