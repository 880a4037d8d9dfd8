/**
 * What an export reads: the app's endpoints, or an imported segment's members, in keyset pages
 * by endpoint id, so memory stays flat and a resumed job continues after the last id written.
 */
import type { Kysely } from "kysely";
import { type Endpoint, fromRow } from "../endpoints/index.js";
import type { Database } from "../store/index.js";

export interface ExportSource {
  appId: string;
  segmentId?: string;
}

/** @example await readEndpointPage(db, { appId }, "ep-0999", 1000) */
export async function readEndpointPage(
  db: Kysely<Database>,
  source: ExportSource,
  after: string | undefined,
  size: number,
): Promise<Endpoint[]> {
  const { segmentId } = source;
  const rows = await db
    .selectFrom("endpoints")
    .selectAll("endpoints")
    .where("endpoints.app_id", "=", source.appId)
    .$if(after !== undefined, (q) => q.where("endpoints.id", ">", after ?? ""))
    .$if(segmentId !== undefined, (q) =>
      q.where("endpoints.id", "in", (eb) =>
        eb
          .selectFrom("segment_members")
          .select("segment_members.endpoint_id")
          .where("segment_members.app_id", "=", source.appId)
          .where("segment_members.segment_id", "=", segmentId ?? ""),
      ),
    )
    .orderBy("endpoints.id")
    .limit(size)
    .execute();
  return rows.map(fromRow);
}

/** How many endpoints the export will write, for its TotalPieces before it starts. */
export async function countEndpoints(db: Kysely<Database>, source: ExportSource): Promise<number> {
  const { segmentId } = source;
  const query =
    segmentId === undefined
      ? db.selectFrom("endpoints").where("app_id", "=", source.appId)
      : db
          .selectFrom("segment_members")
          .innerJoin("endpoints", (join) =>
            join
              .onRef("endpoints.app_id", "=", "segment_members.app_id")
              .onRef("endpoints.id", "=", "segment_members.endpoint_id"),
          )
          .where("segment_members.app_id", "=", source.appId)
          .where("segment_members.segment_id", "=", segmentId);
  const row = await query.select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow();
  return Number(row.count);
}
