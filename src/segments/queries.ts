/**
 * Segment rows in and out of the store: the current version in `segments`, earlier versions in
 * `segment_versions`. Every function takes the Kysely handle to use, so callers can run several
 * inside one transaction.
 */
import type { Kysely, Selectable } from "kysely";
import { createdAfter, type Page } from "../paging.js";
import { type Database, fromJson, type StoreDialect, toJson } from "../store/index.js";
import type { SegmentsTable, SegmentVersionsTable } from "../store/schema.js";
import type { SegmentDefinition, SegmentVersion } from "./model.js";

function fromRow(row: Selectable<SegmentsTable>): SegmentVersion {
  return {
    appId: row.app_id,
    id: row.id,
    name: row.name,
    segmentType: row.segment_type === "IMPORT" ? "IMPORT" : "DIMENSIONAL",
    version: row.version,
    definition: fromJson<SegmentDefinition>(row.definition),
    creationDate: row.creation_date,
    lastModifiedDate: row.last_modified_date,
    tags: fromJson<Record<string, string>>(row.tags),
  };
}

/** The current version of a segment; `lock` holds its row for the transaction where the database can. */
export async function readSegment(
  db: Kysely<Database>,
  appId: string,
  segmentId: string,
  lock?: StoreDialect,
): Promise<SegmentVersion | undefined> {
  const row = await db
    .selectFrom("segments")
    .selectAll()
    .where("app_id", "=", appId)
    .where("id", "=", segmentId)
    .$if(lock?.supportsSkipLocked === true, (q) => q.forUpdate())
    .executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

function earlierVersion(current: SegmentVersion, row: Selectable<SegmentVersionsTable>): SegmentVersion {
  return {
    ...current,
    name: row.name,
    segmentType: row.segment_type === "IMPORT" ? "IMPORT" : "DIMENSIONAL",
    version: row.version,
    definition: fromJson<SegmentDefinition>(row.definition),
    lastModifiedDate: row.last_modified_date,
  };
}

/** One version of a segment, current or earlier. */
export async function readSegmentVersion(
  db: Kysely<Database>,
  appId: string,
  segmentId: string,
  version: number,
): Promise<SegmentVersion | undefined> {
  const current = await readSegment(db, appId, segmentId);
  if (!current || current.version === version) return current;
  const row = await db
    .selectFrom("segment_versions")
    .selectAll()
    .where("app_id", "=", appId)
    .where("segment_id", "=", segmentId)
    .where("version", "=", version)
    .executeTakeFirst();
  return row ? earlierVersion(current, row) : undefined;
}

export async function insertSegment(db: Kysely<Database>, segment: SegmentVersion): Promise<void> {
  await db
    .insertInto("segments")
    .values({
      app_id: segment.appId,
      id: segment.id,
      name: segment.name,
      segment_type: segment.segmentType,
      version: segment.version,
      definition: toJson(segment.definition),
      creation_date: segment.creationDate,
      last_modified_date: segment.lastModifiedDate,
      tags: toJson(segment.tags),
    })
    .execute();
}

/** Keeps `current` as an earlier version and makes `next` the segment's current one. */
export async function replaceSegment(db: Kysely<Database>, current: SegmentVersion, next: SegmentVersion) {
  await db
    .insertInto("segment_versions")
    .values({
      app_id: current.appId,
      segment_id: current.id,
      version: current.version,
      name: current.name,
      segment_type: current.segmentType,
      definition: toJson(current.definition),
      last_modified_date: current.lastModifiedDate,
    })
    .execute();
  await db
    .updateTable("segments")
    .set({
      name: next.name,
      version: next.version,
      definition: toJson(next.definition),
      last_modified_date: next.lastModifiedDate,
    })
    .where("app_id", "=", current.appId)
    .where("id", "=", current.id)
    .execute();
}

/** The app's segments in creation order, a page at a time. */
export async function listSegmentRows(db: Kysely<Database>, appId: string, page: Page): Promise<SegmentVersion[]> {
  let query = db
    .selectFrom("segments")
    .selectAll()
    .where("app_id", "=", appId)
    .orderBy("creation_date")
    .orderBy("id")
    .limit(page.size);
  if (page.after) query = query.where(createdAfter(page.after));
  return (await query.execute()).map(fromRow);
}

/** A segment's versions, oldest first, a page at a time; the current one comes last. */
export async function listVersionRows(db: Kysely<Database>, current: SegmentVersion, page: Page) {
  const after = Number(page.after?.[0] ?? 0);
  const rows = await db
    .selectFrom("segment_versions")
    .selectAll()
    .where("app_id", "=", current.appId)
    .where("segment_id", "=", current.id)
    .where("version", ">", after)
    .orderBy("version")
    .limit(page.size)
    .execute();
  const versions = rows.map((row) => earlierVersion(current, row));
  if (versions.length < page.size && current.version > after) versions.push(current);
  return versions;
}

/** The current definitions of the app's other dimensional segments, to find which build on one. */
export async function dimensionalSegments(db: Kysely<Database>, appId: string): Promise<SegmentVersion[]> {
  const rows = await db
    .selectFrom("segments")
    .selectAll()
    .where("app_id", "=", appId)
    .where("segment_type", "=", "DIMENSIONAL")
    .execute();
  return rows.map(fromRow);
}

/** Deletes the segment, its earlier versions and its imported members. */
export async function deleteSegmentRows(db: Kysely<Database>, appId: string, segmentId: string): Promise<void> {
  await db.deleteFrom("segment_members").where("app_id", "=", appId).where("segment_id", "=", segmentId).execute();
  await db.deleteFrom("segment_versions").where("app_id", "=", appId).where("segment_id", "=", segmentId).execute();
  await db.deleteFrom("segments").where("app_id", "=", appId).where("id", "=", segmentId).execute();
}
