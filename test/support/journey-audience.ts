/**
 * What the journey trigger and broadcast tests share: an app with an audience of email endpoints
 * and a segment over it, journeys published through the SDK, and the entry rows and runs read back.
 */
import {
  CreateAppCommand,
  CreateJourneyCommand,
  CreateSegmentCommand,
  type EndpointBatchItem,
  type PinpointClient,
  UpdateEndpointsBatchCommand,
  UpdateJourneyStateCommand,
  type WriteJourneyRequest,
} from "@aws-sdk/client-pinpoint";
import { writeEndpoints } from "../../src/endpoints/queries.js";
import { fromJson, type Store } from "../../src/store/index.js";

/** A Waymark under test: a TestServer, or a server process with the test's own store on its database. */
export interface WaymarkUnderTest {
  client: PinpointClient;
  server: { services: { store: Store } };
}

export async function createApp(t: WaymarkUnderTest, name = "Triggers"): Promise<string> {
  const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: name } }));
  return app.ApplicationResponse?.Id ?? "";
}

/** Endpoint ids `<prefix>-0000`, `<prefix>-0001`... in id order. */
export function endpointIds(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(from + i).padStart(4, "0")}`);
}

/** Email endpoints with Attributes.Plan, through UpdateEndpointsBatch (100 a call, Pinpoint's limit). */
export async function putAudience(t: WaymarkUnderTest, appId: string, ids: string[], plan = "pro"): Promise<void> {
  const items: EndpointBatchItem[] = ids.map((Id) => ({
    Id,
    ChannelType: "EMAIL",
    Address: `${Id}@example.com`,
    Attributes: { Plan: [plan] },
  }));
  for (let i = 0; i < items.length; i += 100) {
    await t.client.send(
      new UpdateEndpointsBatchCommand({
        ApplicationId: appId,
        EndpointBatchRequest: { Item: items.slice(i, i + 100) },
      }),
    );
  }
}

/** Many endpoints at once, written through the store as an import writes them. */
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

/** A segment of the endpoints whose Plan is `plan`. */
export async function planSegment(t: WaymarkUnderTest, appId: string, plan = "pro"): Promise<string> {
  const segment = await t.client.send(
    new CreateSegmentCommand({
      ApplicationId: appId,
      WriteSegmentRequest: {
        Name: `plan-${plan}`,
        Dimensions: { Attributes: { Plan: { AttributeType: "INCLUSIVE", Values: [plan] } } },
      },
    }),
  );
  return segment.SegmentResponse?.Id ?? "";
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

/** A broadcast-started journey on the segment: an email naming the feature, then a day's wait. */
export function broadcastJourney(segmentId: string, eventTypes: string[], extra: Partial<WriteJourneyRequest> = {}) {
  return {
    Name: "Feature release",
    StartCondition: {
      EventStartCondition: {
        EventFilter: {
          // Waymark's own FilterType; the SDK's type lists only Pinpoint's.
          FilterType: "BROADCAST" as "ENDPOINT",
          Dimensions: { EventType: { DimensionType: "INCLUSIVE" as const, Values: eventTypes } },
        },
        SegmentId: segmentId,
      },
    },
    StartActivity: "pause",
    Activities: { pause: { Wait: { WaitTime: { WaitFor: "P1D" } } } },
    ...extra,
  } satisfies WriteJourneyRequest;
}

export interface EntryRow {
  endpointId: string;
  runId: string;
  entryKey: string;
  status: string;
  broadcastId: string | null;
  triggerEvent: unknown;
}

/** The journey's entry rows, in endpoint id order. */
export async function entries(t: WaymarkUnderTest, journeyId: string): Promise<EntryRow[]> {
  const rows = await t.server.services.store.db
    .selectFrom("journey_participants")
    .select(["endpoint_id", "run_id", "entry_key", "status", "broadcast_id", "trigger_event"])
    .where("journey_id", "=", journeyId)
    .orderBy("endpoint_id")
    .orderBy("id")
    .execute();
  return rows.map((row) => ({
    endpointId: row.endpoint_id,
    runId: row.run_id,
    entryKey: row.entry_key,
    status: row.status,
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

export async function journeyState(t: WaymarkUnderTest, journeyId: string): Promise<string | undefined> {
  const row = await t.server.services.store.db
    .selectFrom("journeys")
    .select("state")
    .where("id", "=", journeyId)
    .executeTakeFirst();
  return row?.state;
}
