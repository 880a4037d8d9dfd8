/**
 * Reading broadcasts with their progress: per matched journey, how many endpoints its segment held
 * and how many have entered so far (the run's counters, kept by the fan-out), and whether its
 * fan-out is over. A broadcast costs three indexed reads, however large its segments.
 */
import type { Kysely, Selectable } from "kysely";
import { notFound } from "../../api/errors.js";
import { requireApp } from "../../apps/index.js";
import { nextToken, type Page } from "../../paging.js";
import type { Services } from "../../services.js";
import { type Database, fromJson } from "../../store/index.js";
import type { BroadcastsTable } from "../../store/schema.js";
import { toJourney } from "../model.js";
import type { JourneyRun } from "../triggers/runs.js";
import { fannedOutSegment } from "../triggers/start-condition.js";
import type { BroadcastEvent, BroadcastJourney, BroadcastResponse } from "./model.js";

type BroadcastRow = Selectable<BroadcastsTable>;

/** @example const { State, EndpointsEntered } = await getBroadcast(services, appId, "release-42"); */
export async function getBroadcast(services: Services, appId: string, broadcastId: string): Promise<BroadcastResponse> {
  const { db } = services.store;
  const row = await db
    .selectFrom("broadcasts")
    .selectAll()
    .where("app_id", "=", appId)
    .where("id", "=", broadcastId)
    .executeTakeFirst();
  if (!row) {
    await requireApp(services, appId);
    throw notFound(`Broadcast not found: ${broadcastId}`);
  }
  const [response] = await withProgress(db, appId, [row]);
  return response;
}

/** The app's broadcasts, newest first, in Pinpoint's pages. */
export async function listBroadcasts(services: Services, appId: string, page: Page) {
  await requireApp(services, appId);
  const { db } = services.store;
  const [afterMs, afterId] = page.after ?? [];
  const rows = await db
    .selectFrom("broadcasts")
    .selectAll()
    .where("app_id", "=", appId)
    .$if(page.after !== undefined, (q) =>
      q.where((eb) =>
        eb.or([
          eb("creation_ms", "<", Number(afterMs)),
          eb.and([eb("creation_ms", "=", Number(afterMs)), eb("id", "<", afterId ?? "")]),
        ]),
      ),
    )
    .orderBy("creation_ms", "desc")
    .orderBy("id", "desc")
    .limit(page.size)
    .execute();
  return {
    Item: await withProgress(db, appId, rows),
    NextToken: nextToken(rows, page, (row: BroadcastRow) => [String(row.creation_ms), row.id]),
  };
}

async function withProgress(db: Kysely<Database>, appId: string, rows: BroadcastRow[]): Promise<BroadcastResponse[]> {
  if (rows.length === 0) return [];
  const runs = await db
    .selectFrom("journey_runs")
    .selectAll()
    .where("app_id", "=", appId)
    .where(
      "broadcast_id",
      "in",
      rows.map((row) => row.id),
    )
    .execute();
  const journeyIds = [...new Set(rows.flatMap((row) => fromJson<string[]>(row.journeys)))];
  const journeys =
    journeyIds.length === 0
      ? []
      : await db.selectFrom("journeys").selectAll().where("app_id", "=", appId).where("id", "in", journeyIds).execute();
  const segmentOf = new Map(journeys.map((row) => [row.id, fannedOutSegment(toJourney(row).definition)]));
  const runOf = new Map(runs.map((run) => [`${run.broadcast_id}\u0000${run.journey_id}`, run]));
  return rows.map((row) => {
    const parts = fromJson<string[]>(row.journeys).map((journeyId) =>
      journeyProgress(journeyId, segmentOf.get(journeyId), runOf.get(`${row.id}\u0000${journeyId}`)),
    );
    return toResponse(row, parts);
  });
}

function journeyProgress(
  journeyId: string,
  segmentId: string | undefined,
  run: JourneyRun | undefined,
): BroadcastJourney {
  // A run gone with its journey (DeleteJourney) entered whom it entered and stopped.
  if (!run) return { JourneyId: journeyId, SegmentId: segmentId, EndpointsEntered: 0, State: "STOPPED" };
  const state = run.fanout_done ? "DONE" : run.status === "RUNNING" ? "RUNNING" : "STOPPED";
  return {
    JourneyId: journeyId,
    SegmentId: segmentId,
    SegmentSize: run.audience_size ?? undefined,
    EndpointsEntered: Number(run.entrants),
    State: state,
  };
}

function toResponse(row: BroadcastRow, journeys: BroadcastJourney[]): BroadcastResponse {
  const event = fromJson<BroadcastEvent>(row.event);
  const sizes = journeys.map((journey) => journey.SegmentSize);
  return {
    ApplicationId: row.app_id,
    Id: row.id,
    EventType: event.EventType,
    Attributes: event.Attributes,
    Metrics: event.Metrics,
    CreationDate: new Date(row.creation_ms).toISOString(),
    CompletionDate: row.completion_ms === null ? undefined : new Date(row.completion_ms).toISOString(),
    State: row.status === "DONE" ? "DONE" : "RUNNING",
    Journeys: journeys,
    EndpointsEntered: journeys.reduce((sum, journey) => sum + journey.EndpointsEntered, 0),
    SegmentSize: sizes.every((size) => size !== undefined) ? sizes.reduce((a, b) => a + b, 0) : undefined,
    Message:
      journeys.length === 0
        ? `No ACTIVE journey's broadcast trigger matches event type ${event.EventType}: nobody entered`
        : undefined,
  };
}
