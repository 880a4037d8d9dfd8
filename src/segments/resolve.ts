/**
 * Finds every base segment a definition builds on, recursively, so compiling needs no I/O. This is
 * also where a definition is refused for its base segments: one that does not exist, a segment
 * built on itself (directly or through others), or an imported segment mixed with other bases.
 */
import type { SegmentGroupList, SegmentReference } from "@aws-sdk/client-pinpoint";
import type { Kysely } from "kysely";
import { badRequest } from "../api/errors.js";
import type { Database } from "../store/index.js";
import { type ResolvedSource, type ResolvedSources, type SegmentDefinition, sourceKey } from "./model.js";
import { readSegment, readSegmentVersion } from "./queries.js";

/** The base segments each group of a definition names. */
export function baseSegments(groups: SegmentGroupList | undefined): SegmentReference[][] {
  return (groups?.Groups ?? []).map((group) => group?.SourceSegments ?? []);
}

/**
 * @param ownId the segment being written, which may not be among its own bases
 * @example const sources = await resolveSources(db, appId, { SegmentGroups: ... }, segmentId);
 */
export async function resolveSources(
  db: Kysely<Database>,
  appId: string,
  definition: SegmentDefinition,
  ownId?: string,
): Promise<ResolvedSources> {
  const resolved = new Map<string, ResolvedSource>();

  async function visit(current: SegmentDefinition, path: string[]): Promise<void> {
    for (const group of baseSegments(current.SegmentGroups)) {
      const sources: ResolvedSource[] = [];
      for (const reference of group) {
        const id = reference.Id ?? "";
        if (id === ownId || path.includes(id)) {
          throw badRequest(`Segment ${[...path, id].join(" → ")} builds on itself`);
        }
        const key = sourceKey(id, reference.Version);
        let source = resolved.get(key);
        if (!source) {
          const segment =
            reference.Version === undefined
              ? await readSegment(db, appId, id)
              : await readSegmentVersion(db, appId, id, reference.Version);
          if (!segment) {
            const version = reference.Version === undefined ? "" : ` version ${reference.Version}`;
            throw badRequest(`Base segment ${id}${version} not found`);
          }
          source =
            segment.segmentType === "IMPORT"
              ? { segmentType: "IMPORT", id }
              : { segmentType: "DIMENSIONAL", definition: segment.definition };
          resolved.set(key, source);
          if (source.segmentType === "DIMENSIONAL") await visit(source.definition, [...path, id]);
        }
        sources.push(source);
      }
      if (sources.length > 1 && sources.some((source) => source.segmentType === "IMPORT")) {
        throw badRequest("A segment group's base segments are dimensional segments, or a single imported segment");
      }
    }
  }

  await visit(definition, ownId ? [ownId] : []);
  return resolved;
}
