/**
 * Imported segments: the fixed set of endpoints an import job defines (DefineSegment) or adds to
 * (SegmentId). The segment row carries Pinpoint's ImportDefinition (S3Url, Format, ChannelCounts,
 * Size...); its members are rows of segment_members, written with each chunk of endpoints.
 */
import type { SegmentImportResource } from "@aws-sdk/client-pinpoint";
import type { Kysely } from "kysely";
import { badRequest, notFound } from "../api/errors.js";
import { type Database, fromJson, toJson } from "../store/index.js";

/** What the segments table's definition column holds for an imported segment. */
export interface ImportedSegmentDefinition {
  ImportDefinition: SegmentImportResource;
}

export async function createImportedSegment(
  db: Kysely<Database>,
  segment: { appId: string; id: string; name: string; importDefinition: SegmentImportResource; now: string },
): Promise<void> {
  const definition: ImportedSegmentDefinition = { ImportDefinition: segment.importDefinition };
  await db
    .insertInto("segments")
    .values({
      app_id: segment.appId,
      id: segment.id,
      name: segment.name,
      segment_type: "IMPORT",
      version: 1,
      definition: toJson(definition),
      creation_date: segment.now,
      last_modified_date: segment.now,
      tags: toJson({}),
    })
    .execute();
}

/** An import may add endpoints only to an existing imported segment. */
export async function requireImportedSegment(db: Kysely<Database>, appId: string, segmentId: string) {
  const row = await db
    .selectFrom("segments")
    .select(["id", "segment_type"])
    .where("app_id", "=", appId)
    .where("id", "=", segmentId)
    .executeTakeFirst();
  if (!row) throw notFound(`Segment not found: ${segmentId}`);
  if (row.segment_type !== "IMPORT") {
    throw badRequest(`Segment ${segmentId} is a ${row.segment_type} segment; only imported segments take imports`);
  }
  return row;
}

/** Adds endpoints to the segment; an endpoint already in it stays once. */
export async function addSegmentMembers(
  db: Kysely<Database>,
  appId: string,
  segmentId: string,
  endpointIds: string[],
): Promise<void> {
  const unique = [...new Set(endpointIds)];
  for (let i = 0; i < unique.length; i += 1000) {
    await db
      .insertInto("segment_members")
      .values(
        unique
          .slice(i, i + 1000)
          .map((endpointId) => ({ app_id: appId, segment_id: segmentId, endpoint_id: endpointId })),
      )
      .onConflict((oc) => oc.columns(["app_id", "segment_id", "endpoint_id"]).doNothing())
      .execute();
  }
}

/** The endpoints of each user id, for user-id rows of a segment file. */
export async function endpointsOfUsers(
  db: Kysely<Database>,
  appId: string,
  userIds: string[],
): Promise<Map<string, string[]>> {
  const byUser = new Map<string, string[]>();
  for (let i = 0; i < userIds.length; i += 1000) {
    const rows = await db
      .selectFrom("endpoints")
      .select(["id", "user_id"])
      .where("app_id", "=", appId)
      .where("user_id", "in", userIds.slice(i, i + 1000))
      .execute();
    for (const row of rows) {
      const ids = byUser.get(row.user_id ?? "") ?? [];
      ids.push(row.id);
      byUser.set(row.user_id ?? "", ids);
    }
  }
  return byUser;
}

/** Refreshes the segment's Size and ChannelCounts from its members, once an import has finished. */
export async function recountImportedSegment(
  db: Kysely<Database>,
  appId: string,
  segmentId: string,
  now: string,
): Promise<void> {
  const segment = await db
    .selectFrom("segments")
    .select("definition")
    .where("app_id", "=", appId)
    .where("id", "=", segmentId)
    .executeTakeFirst();
  if (!segment) return;
  const counts = await db
    .selectFrom("segment_members")
    .innerJoin("endpoints", (join) =>
      join
        .onRef("endpoints.app_id", "=", "segment_members.app_id")
        .onRef("endpoints.id", "=", "segment_members.endpoint_id"),
    )
    .select(["endpoints.channel_type", (eb) => eb.fn.countAll<number>().as("count")])
    .where("segment_members.app_id", "=", appId)
    .where("segment_members.segment_id", "=", segmentId)
    .groupBy("endpoints.channel_type")
    .execute();
  const channelCounts: Record<string, number> = {};
  let size = 0;
  for (const row of counts) {
    size += Number(row.count);
    if (row.channel_type) channelCounts[row.channel_type] = Number(row.count);
  }
  const definition = fromJson<ImportedSegmentDefinition>(segment.definition);
  definition.ImportDefinition = { ...definition.ImportDefinition, ChannelCounts: channelCounts, Size: size };
  await db
    .updateTable("segments")
    .set({ definition: toJson(definition), last_modified_date: now })
    .where("app_id", "=", appId)
    .where("id", "=", segmentId)
    .execute();
}
