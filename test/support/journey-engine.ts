/**
 * What the journey engine tests share: journeys published through the SDK, entries written as
 * the triggers write them (insertEntrants), batches run until nothing is due, and the engine's
 * results read back (participants, metric counters, the sandbox channel's messages).
 */
import {
  CreateAppCommand,
  CreateJourneyCommand,
  type EndpointBatchItem,
  UpdateEndpointsBatchCommand,
  UpdateJourneyStateCommand,
  type WriteJourneyRequest,
} from "@aws-sdk/client-pinpoint";
import { sql } from "kysely";
import { runDueParticipants } from "../../src/journeys/engine/run-due.js";
import type { TriggerEvent } from "../../src/journeys/model.js";
import { insertEntrants } from "../../src/journeys/participants.js";
import type { MessageContent } from "../../src/messages/model.js";
import { fromJson, toJson } from "../../src/store/index.js";
import type { TestServer } from "./server.js";

export async function createApp(t: TestServer, name: string): Promise<string> {
  const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: name } }));
  return app.ApplicationResponse?.Id ?? "";
}

export async function putEndpoints(t: TestServer, appId: string, items: EndpointBatchItem[]): Promise<void> {
  await t.client.send(new UpdateEndpointsBatchCommand({ ApplicationId: appId, EndpointBatchRequest: { Item: items } }));
}

/** An event journey whose filter no event matches: only the entries a test writes reach it. */
export function enteredByTests(definition: Omit<WriteJourneyRequest, "Name" | "StartCondition"> & { Name?: string }) {
  return {
    Name: "Engine test",
    StartCondition: {
      EventStartCondition: {
        EventFilter: {
          FilterType: "ENDPOINT" as const,
          Dimensions: { EventType: { DimensionType: "INCLUSIVE" as const, Values: ["no-such-event"] } },
        },
      },
    },
    ...definition,
  } satisfies WriteJourneyRequest;
}

/** Publishes the journey (State ACTIVE) through CreateJourney; answers its id. */
export async function publishJourney(t: TestServer, appId: string, request: WriteJourneyRequest): Promise<string> {
  const created = await t.client.send(
    new CreateJourneyCommand({ ApplicationId: appId, WriteJourneyRequest: { ...request, State: "ACTIVE" } }),
  );
  return created.JourneyResponse?.Id ?? "";
}

export async function setJourneyState(
  t: TestServer,
  appId: string,
  journeyId: string,
  State: "PAUSED" | "ACTIVE" | "CANCELLED",
) {
  await t.client.send(
    new UpdateJourneyStateCommand({ ApplicationId: appId, JourneyId: journeyId, JourneyStateRequest: { State } }),
  );
}

/**
 * Enters the endpoints as a trigger does (ENTERING rows), with an event of their own or a
 * broadcast's; answers nothing until the engine has run them (see `settle`).
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
  status: string;
  activityId: string;
  step: number;
  wakeMs: number | null;
  messages: Record<string, string>;
}

export async function participants(t: TestServer, journeyId: string): Promise<ParticipantRow[]> {
  const rows = await t.server.services.store.db
    .selectFrom("journey_participants")
    .selectAll()
    .where("journey_id", "=", journeyId)
    .orderBy("id")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    endpointId: row.endpoint_id,
    status: row.status,
    activityId: row.activity_id,
    step: row.step,
    wakeMs: row.wake_ms,
    messages: fromJson<Record<string, string>>(row.messages),
  }));
}

/** The journey's metric counters summed over its runs, as `activity/metric` ("/METRIC" for the journey's own). */
export async function metrics(t: TestServer, journeyId: string): Promise<Record<string, number>> {
  const rows = await t.server.services.store.db
    .selectFrom("journey_metrics")
    .select(["activity_id", "metric", sql<number>`sum(value)`.as("value")])
    .where("journey_id", "=", journeyId)
    .groupBy(["activity_id", "metric"])
    .execute();
  return Object.fromEntries(rows.map((row) => [`${row.activity_id}/${row.metric}`, Number(row.value)]));
}

export interface OutboxMessage {
  id: string;
  endpointId: string | null;
  channel: string;
  status: string;
  content: MessageContent;
  activityId: string | undefined;
}

/** The messages the journey queued, oldest first. */
export async function journeyMessages(t: TestServer, journeyId: string): Promise<OutboxMessage[]> {
  const rows = await t.server.services.store.db
    .selectFrom("messages")
    .selectAll()
    .where("send_key", "like", "journey:%")
    .orderBy("created_ms")
    .orderBy("id")
    .execute();
  return rows
    .map((row) => ({ row, origin: fromJson<{ journeyId?: string; journeyActivityId?: string }>(row.origin) }))
    .filter(({ origin }) => origin.journeyId === journeyId)
    .map(({ row, origin }) => ({
      id: row.id,
      endpointId: row.endpoint_id,
      channel: row.channel,
      status: row.status,
      content: fromJson<MessageContent>(row.content),
      activityId: origin.journeyActivityId,
    }));
}

/** Polls until `check` holds (the delivery loop runs on its own). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 200 && !check(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  if (!check(value)) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
  return value;
}

export interface SandboxCopy {
  channel: string;
  address: string;
  content: MessageContent;
}

/** What the sandbox provider received for the app (no provider configured: every channel lands there). */
export async function sandboxCopies(t: TestServer, appId: string): Promise<SandboxCopy[]> {
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
