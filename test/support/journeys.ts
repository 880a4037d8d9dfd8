/**
 * What the journey tests share. Given: an app, its endpoints and segments, journeys published
 * through the SDK (their definitions: journey-definitions.ts), entries written as the triggers
 * write them. When: the engine's batches run until nothing is due. Then: the participants, runs,
 * metric counters and messages read back.
 */
import {
  CreateAppCommand,
  CreateEmailTemplateCommand,
  CreateJourneyCommand,
  CreateSegmentCommand,
  CreateSmsTemplateCommand,
  type EndpointBatchItem,
  GetJourneyExecutionActivityMetricsCommand,
  GetJourneyExecutionMetricsCommand,
  type PinpointClient,
  UpdateEndpointsBatchCommand,
  UpdateJourneyStateCommand,
  type WriteJourneyRequest,
} from "@aws-sdk/client-pinpoint";
import { sql } from "kysely";
import { expect } from "vitest";
import { writeEndpoints } from "../../src/endpoints/queries.js";
import { runDueParticipants } from "../../src/journeys/engine/run-due.js";
import type { TriggerEvent } from "../../src/journeys/model.js";
import { insertEntrants } from "../../src/journeys/participants.js";
import type { MessageContent } from "../../src/messages/model.js";
import { fromJson, type Store, toJson } from "../../src/store/index.js";
import type { TestServer } from "./server.js";

export const minuteMs = 60_000;
export const hourMs = 60 * minuteMs;
export const dayMs = 24 * hourMs;
/** Where the engine tests' manual clocks start: Monday 23 November 2026, noon UTC. */
export const engineStart = Date.parse("2026-11-23T12:00:00Z");

/** A Waymark under test: a TestServer, or a server process with the test's own store on its database. */
export interface WaymarkUnderTest {
  client: PinpointClient;
  server: { services: { store: Store } };
}

export async function createApp(t: WaymarkUnderTest, name = "Journeys"): Promise<string> {
  const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: name } }));
  return app.ApplicationResponse?.Id ?? "";
}

/** Endpoint ids `<prefix>-0000`, `<prefix>-0001`... in id order. */
export function endpointIds(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(from + i).padStart(4, "0")}`);
}

/** Endpoints through UpdateEndpointsBatch, 100 a call (Pinpoint's limit). */
export async function putEndpoints(t: WaymarkUnderTest, appId: string, items: EndpointBatchItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 100) {
    await t.client.send(
      new UpdateEndpointsBatchCommand({
        ApplicationId: appId,
        EndpointBatchRequest: { Item: items.slice(i, i + 100) },
      }),
    );
  }
}

/** Email endpoints `<id>@example.com` with Attributes.Plan, through the API. */
export async function putAudience(t: WaymarkUnderTest, appId: string, ids: string[], plan = "pro"): Promise<void> {
  await putEndpoints(
    t,
    appId,
    ids.map((Id) => ({ Id, ChannelType: "EMAIL", Address: `${Id}@example.com`, Attributes: { Plan: [plan] } })),
  );
}

/** The same, many at once, written through the store as an import writes them. */
export async function writeAudience(t: WaymarkUnderTest, appId: string, ids: string[], plan = "pro"): Promise<void> {
  const { db } = t.server.services.store;
  const now = new Date().toISOString();
  for (let i = 0; i < ids.length; i += 5000) {
    await db.transaction().execute((trx) =>
      writeEndpoints(
        trx,
        ids.slice(i, i + 5000).map((Id) => ({
          ApplicationId: appId,
          Id,
          ChannelType: "EMAIL",
          Address: `${Id}@example.com`,
          Attributes: { Plan: [plan] },
          Metrics: {},
          User: { UserAttributes: {} },
          Demographic: {},
          Location: {},
          OptOut: "NONE",
          EndpointStatus: "ACTIVE",
          EffectiveDate: now,
          CreationDate: now,
          CohortId: "1",
        })),
      ),
    );
  }
}

/** A segment of the endpoints whose attribute `name` is `value` (by default: Plan is `value`). */
export async function attributeSegment(t: WaymarkUnderTest, appId: string, value: string, name = "Plan") {
  const segment = await t.client.send(
    new CreateSegmentCommand({
      ApplicationId: appId,
      WriteSegmentRequest: {
        Name: `${name}-${value}`,
        Dimensions: { Attributes: { [name]: { AttributeType: "INCLUSIVE", Values: [value] } } },
      },
    }),
  );
  return segment.SegmentResponse?.Id ?? "";
}

/** A segment of the endpoints whose Plan is `plan`. */
export function planSegment(t: WaymarkUnderTest, appId: string, plan = "pro"): Promise<string> {
  return attributeSegment(t, appId, plan);
}

/** An app with an email and an SMS template and two segments, for journeys nobody enters. */
export interface JourneyApp {
  appId: string;
  /** Matches nobody, so a published journey has no one to move. */
  audienceId: string;
  powerUsersId: string;
}

export async function journeyApp(t: WaymarkUnderTest, name = "Journeys"): Promise<JourneyApp> {
  const appId = await createApp(t, name);
  // Templates belong to the server, not the app: a second app finds them there.
  await t.client
    .send(
      new CreateEmailTemplateCommand({
        TemplateName: "Launch",
        EmailTemplateRequest: { Subject: "New: {{Event.Attributes.feature}}", TextPart: "Try it" },
      }),
    )
    .catch(() => undefined);
  await t.client
    .send(new CreateSmsTemplateCommand({ TemplateName: "Nudge", SMSTemplateRequest: { Body: "Have a look" } }))
    .catch(() => undefined);
  return {
    appId,
    audienceId: await planSegment(t, appId, "nobody-has-this"),
    powerUsersId: await planSegment(t, appId, "pro"),
  };
}

/** Publishes (State ACTIVE) through CreateJourney; answers the journey's id. */
export async function publishJourney(
  t: WaymarkUnderTest,
  appId: string,
  request: WriteJourneyRequest,
): Promise<string> {
  const created = await t.client.send(
    new CreateJourneyCommand({ ApplicationId: appId, WriteJourneyRequest: { ...request, State: "ACTIVE" } }),
  );
  return created.JourneyResponse?.Id ?? "";
}

export async function setJourneyState(
  t: WaymarkUnderTest,
  appId: string,
  journeyId: string,
  State: "PAUSED" | "ACTIVE" | "CANCELLED",
): Promise<void> {
  await t.client.send(
    new UpdateJourneyStateCommand({ ApplicationId: appId, JourneyId: journeyId, JourneyStateRequest: { State } }),
  );
}

export async function journeyState(t: WaymarkUnderTest, journeyId: string): Promise<string | undefined> {
  const row = await t.server.services.store.db
    .selectFrom("journeys")
    .select("state")
    .where("id", "=", journeyId)
    .executeTakeFirst();
  return row?.state;
}

/**
 * Enters the endpoints as a trigger does (ENTERING rows), with an event of their own or a
 * broadcast's; the engine takes them up at its next batch (see `settle`).
 */
export async function enter(
  t: TestServer,
  appId: string,
  journeyId: string,
  endpointIds: string[],
  options: { event?: TriggerEvent; broadcast?: { id: string; event: TriggerEvent }; key?: string } = {},
): Promise<void> {
  const { db } = t.server.services.store;
  const now = t.server.services.clock.now();
  const runId = options.broadcast?.id ?? "test-run";
  await db.transaction().execute(async (trx) => {
    if (options.broadcast) {
      await trx
        .insertInto("broadcasts")
        .values({
          app_id: appId,
          id: options.broadcast.id,
          event: toJson(options.broadcast.event),
          status: "DONE",
          journeys: toJson([journeyId]),
          creation_ms: now,
          completion_ms: now,
        })
        .onConflict((oc) => oc.columns(["app_id", "id"]).doNothing())
        .execute();
    }
    await insertEntrants(
      trx,
      endpointIds.map((endpointId) => ({
        appId,
        journeyId,
        runId,
        endpointId,
        entryKey: `${options.key ?? runId}:${endpointId}`,
        broadcastId: options.broadcast?.id,
        triggerEvent: options.event,
      })),
      now,
    );
  });
}

/** Runs batches until nothing is due, including batches the server's own loop had under way. */
export async function settle(t: TestServer): Promise<void> {
  const { services } = t.server;
  for (let round = 0; round < 500; round++) {
    await runDueParticipants(services);
    const due = await services.store.db
      .selectFrom("journey_participants as p")
      .innerJoin("journeys as j", (join) => join.onRef("j.app_id", "=", "p.app_id").onRef("j.id", "=", "p.journey_id"))
      .select((eb) => eb.fn.countAll().as("n"))
      .where("j.state", "=", "ACTIVE")
      .where("p.wake_ms", "<=", services.clock.now())
      .executeTakeFirstOrThrow();
    if (Number(due.n) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("participants stayed due");
}

export interface ParticipantRow {
  id: number;
  endpointId: string;
  runId: string;
  entryKey: string;
  status: string;
  activityId: string;
  step: number;
  wakeMs: number | null;
  messages: Record<string, string>;
  broadcastId: string | null;
  triggerEvent: unknown;
}

/** The journey's participants (one per entry), by endpoint id, an endpoint's entries oldest first. */
export async function participants(t: WaymarkUnderTest, journeyId: string): Promise<ParticipantRow[]> {
  const rows = await t.server.services.store.db
    .selectFrom("journey_participants")
    .selectAll()
    .where("journey_id", "=", journeyId)
    .orderBy("endpoint_id")
    .orderBy("id")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    endpointId: row.endpoint_id,
    runId: row.run_id,
    entryKey: row.entry_key,
    status: row.status,
    activityId: row.activity_id,
    step: row.step,
    wakeMs: row.wake_ms,
    messages: fromJson<Record<string, string>>(row.messages),
    broadcastId: row.broadcast_id,
    triggerEvent: row.trigger_event === null ? null : fromJson(row.trigger_event),
  }));
}

/** The journey's runs, oldest first. */
export async function runs(t: WaymarkUnderTest, journeyId: string) {
  return t.server.services.store.db
    .selectFrom("journey_runs")
    .selectAll()
    .where("journey_id", "=", journeyId)
    .orderBy("creation_ms")
    .orderBy("run_id")
    .execute();
}

/** The journey's metric counters summed over its runs, as `activity/metric` ("/METRIC" for the journey's own). */
export async function metrics(t: WaymarkUnderTest, journeyId: string): Promise<Record<string, number>> {
  const rows = await t.server.services.store.db
    .selectFrom("journey_metrics")
    .select(["activity_id", "metric", sql<number>`sum(value)`.as("value")])
    .where("journey_id", "=", journeyId)
    .groupBy(["activity_id", "metric"])
    .execute();
  return Object.fromEntries(rows.map((row) => [`${row.activity_id}/${row.metric}`, Number(row.value)]));
}

/** GetJourneyExecutionMetrics, or GetJourneyExecutionActivityMetrics for `activityId`, as numbers. */
export async function executionMetrics(
  t: WaymarkUnderTest,
  appId: string,
  journeyId: string,
  activityId?: string,
): Promise<Record<string, number>> {
  const metrics =
    activityId === undefined
      ? (await t.client.send(new GetJourneyExecutionMetricsCommand({ ApplicationId: appId, JourneyId: journeyId })))
          .JourneyExecutionMetricsResponse?.Metrics
      : (
          await t.client.send(
            new GetJourneyExecutionActivityMetricsCommand({
              ApplicationId: appId,
              JourneyId: journeyId,
              JourneyActivityId: activityId,
            }),
          )
        ).JourneyExecutionActivityMetricsResponse?.Metrics;
  return Object.fromEntries(Object.entries(metrics ?? {}).map(([key, value]) => [key, Number(value)]));
}

export interface OutboxMessage {
  id: string;
  endpointId: string | null;
  channel: string;
  status: string;
  content: MessageContent;
  activityId: string | undefined;
}

/**
 * The messages the journey queued, in the order they were queued: by time, then by participant
 * and its step (the send key `journey:<participant>:<step>`), since one batch queues many in the
 * same millisecond and message ids are random within it.
 */
export async function journeyMessages(t: WaymarkUnderTest, journeyId: string): Promise<OutboxMessage[]> {
  const rows = await t.server.services.store.db
    .selectFrom("messages")
    .selectAll()
    .where("send_key", "like", "journey:%")
    .execute();
  const queued = (row: (typeof rows)[number]) => {
    const [, participant, step] = row.send_key.split(":").map(Number);
    return [row.created_ms, participant, step];
  };
  return rows
    .map((row) => ({ row, origin: fromJson<{ journeyId?: string; journeyActivityId?: string }>(row.origin) }))
    .filter(({ origin }) => origin.journeyId === journeyId)
    .map((message) => ({ ...message, order: queued(message.row) }))
    .sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || a.order[2] - b.order[2])
    .map(({ row, origin }) => ({
      id: row.id,
      endpointId: row.endpoint_id,
      channel: row.channel,
      status: row.status,
      content: fromJson<MessageContent>(row.content),
      activityId: origin.journeyActivityId,
    }));
}

export interface SandboxCopy {
  channel: string;
  address: string;
  content: MessageContent;
}

/** What the sandbox provider received for the app (no provider configured: every channel lands there). */
export async function sandboxCopies(t: WaymarkUnderTest, appId: string): Promise<SandboxCopy[]> {
  const rows = await t.server.services.store.db
    .selectFrom("sandbox_messages")
    .select(["channel", "address", "content"])
    .where("app_id", "=", appId)
    .orderBy("seq")
    .execute();
  return rows.map((row) => ({
    channel: row.channel,
    address: row.address,
    content: fromJson<MessageContent>(row.content),
  }));
}

/**
 * Opens an email as a mail client does: loads its tracking pixel, from this Waymark whatever
 * public address the link names. Answers the pixel's URL.
 */
export async function openEmail(t: { url: string }, html: string): Promise<string> {
  const pixel = /<img[^>]+src="([^"]+\/t\/o\/[^"]+)"/.exec(html)?.[1] ?? "";
  const answer = await fetch(new URL(new URL(pixel).pathname, t.url));
  expect(answer.status).toBe(200);
  expect(answer.headers.get("content-type")).toBe("image/gif");
  return pixel;
}
