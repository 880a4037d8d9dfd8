/**
 * A segment definition as ONE SQL condition on an endpoint: segment groups combine their base
 * segments (SourceType) and their dimensions (Type), and the groups combine by Include, all of
 * ALL (and), ANY (or) and NONE (not or). Base segments compile recursively from their own
 * definitions, resolved beforehand (resolve.ts), so compiling is pure: definition in, Kysely
 * expression builder out.
 */
import type { SegmentGroup, SegmentGroupList, SegmentReference } from "@aws-sdk/client-pinpoint";
import {
  allOf,
  anyOf,
  type CompileContext,
  type Condition,
  dimensionsCondition,
  noneOf,
} from "./compile-dimensions.js";
import { type ResolvedSource, type ResolvedSources, type SegmentDefinition, sourceKey } from "./model.js";

export type { CompileContext, Condition, SegmentScope } from "./compile-dimensions.js";

/** What a segment is evaluated in: the app, the database, the time, and its base segments. */
export interface SegmentContext extends CompileContext {
  appId: string;
  sources: ResolvedSources;
}

function combine(match: string | undefined, conditions: Condition[], fallback: "ALL" | "ANY"): Condition {
  switch (match ?? fallback) {
    case "ANY":
      return anyOf(conditions);
    case "NONE":
      return noneOf(conditions);
    default:
      return allOf(conditions);
  }
}

/** An imported segment is the fixed list of endpoints its import jobs wrote. */
function importedMembers(segmentId: string, { appId }: SegmentContext): Condition {
  return (eb) =>
    eb(
      "endpoint_dimensions.endpoint_id",
      "in",
      eb
        .selectFrom("segment_members")
        .select("segment_members.endpoint_id")
        .where("segment_members.app_id", "=", appId)
        .where("segment_members.segment_id", "=", segmentId),
    );
}

function baseSegment(reference: SegmentReference, context: SegmentContext): Condition {
  const source = context.sources.get(sourceKey(reference.Id ?? "", reference.Version));
  if (!source) throw new Error(`Base segment ${reference.Id} was not resolved before compiling`);
  return sourceCondition(source, context);
}

/** Base segments: by SourceType, any of them unless told otherwise (the console's default). */
function groupCondition(group: SegmentGroup, context: SegmentContext): Condition {
  const sources = (group.SourceSegments ?? []).map((reference) => baseSegment(reference, context));
  const dimensions = (group.Dimensions ?? []).map((dimensions) => dimensionsCondition(dimensions, context));
  return allOf([
    sources.length === 0 ? allOf([]) : combine(group.SourceType, sources, "ANY"),
    combine(group.Type, dimensions, "ALL"),
  ]);
}

function groupsCondition(groups: SegmentGroupList, context: SegmentContext): Condition {
  return combine(
    groups.Include,
    (groups.Groups ?? []).map((group) => groupCondition(group, context)),
    "ALL",
  );
}

/**
 * The condition an endpoint meets to be in a dimensional segment.
 * @example db.selectFrom("endpoint_dimensions").where(definitionCondition(definition, context))
 */
export function definitionCondition(definition: SegmentDefinition, context: SegmentContext): Condition {
  if (definition.SegmentGroups) return groupsCondition(definition.SegmentGroups, context);
  return dimensionsCondition(definition.Dimensions ?? {}, context);
}

/** The condition for a segment of either kind: its criteria, or its imported members. */
export function sourceCondition(source: ResolvedSource, context: SegmentContext): Condition {
  return source.segmentType === "IMPORT"
    ? importedMembers(source.id, context)
    : definitionCondition(source.definition, context);
}
