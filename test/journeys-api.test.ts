/**
 * Pinpoint's journey API, wire-compatible, through @aws-sdk/client-pinpoint on both databases (and
 * once through the AWS CLI): definitions, Pinpoint's states, runs, execution metrics read from the
 * counters, engagement KPIs computed from the recorded events, tags and deletion.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  BadRequestException,
  ConflictException,
  CreateJourneyCommand,
  DeleteJourneyCommand,
  GetJourneyCommand,
  GetJourneyDateRangeKpiCommand,
  GetJourneyExecutionActivityMetricsCommand,
  GetJourneyExecutionMetricsCommand,
  GetJourneyRunExecutionActivityMetricsCommand,
  GetJourneyRunExecutionMetricsCommand,
  GetJourneyRunsCommand,
  type JourneyResponse,
  ListJourneysCommand,
  ListTagsForResourceCommand,
  NotFoundException,
  PutEventsCommand,
  TagResourceCommand,
  UpdateJourneyCommand,
  UpdateJourneyStateCommand,
  type WriteJourneyRequest,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.js";
import { insertEvents } from "../src/events/queries.js";
import { journeyArn } from "../src/journeys/index.js";
import { addMetrics } from "../src/journeys/metrics-store.js";
import { insertEntrants } from "../src/journeys/participants.js";
import { readJourney } from "../src/journeys/queries.js";
import { originAttributes, recordSystemEvents } from "../src/messages/system-events.js";
import { featureLaunch } from "./support/journey-definitions.js";
import { type JourneyApp, journeyApp } from "./support/journeys.js";
import { databases, startTestServer, type TestServer, testCredentials } from "./support/server.js";

const run = promisify(execFile);
const start = Date.parse("2026-11-23T09:00:00Z");

describe.each(databases)("journey API on %s", (kind) => {
  let t: TestServer;
  let app: JourneyApp;
  const clock = new ManualClock(start);

  const create = async (request: WriteJourneyRequest, appId = app.appId) =>
    (await t.client.send(new CreateJourneyCommand({ ApplicationId: appId, WriteJourneyRequest: request })))
      .JourneyResponse as JourneyResponse;
  const get = async (journeyId: string) =>
    (await t.client.send(new GetJourneyCommand({ ApplicationId: app.appId, JourneyId: journeyId })))
      .JourneyResponse as JourneyResponse;
  const setState = async (journeyId: string, State: string) =>
    (
      await t.client.send(
        new UpdateJourneyStateCommand({
          ApplicationId: app.appId,
          JourneyId: journeyId,
          JourneyStateRequest: { State: State as "ACTIVE" },
        }),
      )
    ).JourneyResponse as JourneyResponse;
  const update = async (journeyId: string, request: WriteJourneyRequest) =>
    (
      await t.client.send(
        new UpdateJourneyCommand({ ApplicationId: app.appId, JourneyId: journeyId, WriteJourneyRequest: request }),
      )
    ).JourneyResponse as JourneyResponse;
  const stored = async (journeyId: string) => {
    const journey = await readJourney(t.server.services.store.db, app.appId, journeyId);
    if (!journey) throw new Error(`journey ${journeyId} is not stored`);
    return journey;
  };

  beforeAll(async () => {
    t = await startTestServer(kind, {}, { clock });
    app = await journeyApp(t);
  });
  afterAll(() => t.close());

  describe("definitions", () => {
    it("CreateJourney saves a draft that GetJourney answers as Pinpoint does", async () => {
      const created = await create(featureLaunch(app));
      expect(created).toMatchObject({
        ApplicationId: app.appId,
        Name: "Feature launch",
        State: "DRAFT",
        StartActivity: "announce",
        CreationDate: new Date(start).toISOString(),
        LastModifiedDate: new Date(start).toISOString(),
        tags: {},
      });
      expect(created.Id).toMatch(/^[0-9a-f]{32}$/);
      expect(created.Activities).toEqual(featureLaunch(app).Activities);
      expect(created.Schedule?.StartTime).toEqual(new Date("2031-01-01T00:00:00Z"));
      expect(await get(created.Id as string)).toEqual(created);
      expect(await stored(created.Id as string)).toMatchObject({ trigger: "SEGMENT", version: 1, state: "DRAFT" });
    });

    it("ListJourneys pages through an app's journeys, oldest first", async () => {
      const other = await journeyApp(t, "Listing");
      const ids: string[] = [];
      for (const name of ["one", "two", "three"]) {
        ids.push((await create({ Name: name }, other.appId)).Id as string);
        clock.advance(1000);
      }
      const first = await t.client.send(new ListJourneysCommand({ ApplicationId: other.appId, PageSize: "2" }));
      expect(first.JourneysResponse?.Item?.map((journey) => journey.Name)).toEqual(["one", "two"]);
      const second = await t.client.send(
        new ListJourneysCommand({
          ApplicationId: other.appId,
          PageSize: "2",
          Token: first.JourneysResponse?.NextToken,
        }),
      );
      expect(second.JourneysResponse?.Item?.map((journey) => journey.Id)).toEqual([ids[2]]);
      expect(second.JourneysResponse?.NextToken).toBeUndefined();
    });

    it("UpdateJourney replaces the members it gives, keeps the rest and makes a new version", async () => {
      const draft = await create(featureLaunch(app));
      clock.advance(60_000);
      const updated = await update(draft.Id as string, { Name: "Feature launch, take two", Limits: { DailyCap: 1 } });
      expect(updated).toMatchObject({ Name: "Feature launch, take two", Limits: { DailyCap: 1 }, State: "DRAFT" });
      expect(updated.Activities).toEqual(draft.Activities);
      expect(updated.CreationDate).toBe(draft.CreationDate);
      expect(updated.LastModifiedDate).toBe(new Date(clock.now()).toISOString());
      expect(await stored(draft.Id as string)).toMatchObject({ version: 2, name: "Feature launch, take two" });
    });

    it("an update that changes how endpoints enter changes the journey's trigger", async () => {
      const draft = await create(featureLaunch(app));
      await update(draft.Id as string, {
        Name: "Event started",
        StartCondition: {
          EventStartCondition: {
            EventFilter: { FilterType: "ENDPOINT", Dimensions: { EventType: { Values: ["signup"] } } },
          },
        },
      });
      expect(await stored(draft.Id as string)).toMatchObject({ trigger: "EVENT", version: 2 });
    });

    it("journeys are tagged through their ARN", async () => {
      const journey = await create({ Name: "Tagged" });
      const arn = journeyArn(t.server.services.config, app.appId, journey.Id as string);
      await t.client.send(new TagResourceCommand({ ResourceArn: arn, TagsModel: { tags: { team: "growth" } } }));
      expect((await get(journey.Id as string)).tags).toEqual({ team: "growth" });
      const listed = await t.client.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
      expect(listed.TagsModel?.tags).toEqual({ team: "growth" });
    });

    it("an unknown journey or app is Pinpoint's 404", async () => {
      await expect(get("no-such-journey")).rejects.toBeInstanceOf(NotFoundException);
      await expect(create({ Name: "x" }, "no-such-app")).rejects.toBeInstanceOf(NotFoundException);
    });
  });

  describe("states", () => {
    it("a journey is published, paused, resumed and cancelled as Pinpoint's states allow", async () => {
      const journey = await create(featureLaunch(app));
      const id = journey.Id as string;
      await expect(setState(id, "PAUSED")).rejects.toThrow(/A DRAFT journey cannot become PAUSED/);
      clock.advance(1000);
      expect((await setState(id, "ACTIVE")).State).toBe("ACTIVE");
      expect(await stored(id)).toMatchObject({ state: "ACTIVE", activatedMs: clock.now(), version: 1 });
      expect((await setState(id, "ACTIVE")).State).toBe("ACTIVE");
      expect((await setState(id, "PAUSED")).State).toBe("PAUSED");
      clock.advance(1000);
      expect((await setState(id, "ACTIVE")).State).toBe("ACTIVE");
      expect((await stored(id)).activatedMs).toBe(clock.now() - 1000);
      expect((await setState(id, "CANCELLED")).State).toBe("CANCELLED");
      const restart = setState(id, "ACTIVE");
      await expect(restart).rejects.toBeInstanceOf(ConflictException);
      await expect(restart).rejects.toThrow(/a cancelled journey never restarts/);
      await expect(update(id, { Name: "Again" })).rejects.toBeInstanceOf(ConflictException);
      expect((await get(id)).State).toBe("CANCELLED");
    });

    it("COMPLETED, CLOSED and DRAFT are not states a request can set", async () => {
      const journey = await create({ Name: "Draft" });
      for (const state of ["COMPLETED", "CLOSED", "DRAFT"]) {
        const attempt = setState(journey.Id as string, state);
        await expect(attempt).rejects.toBeInstanceOf(BadRequestException);
        await expect(attempt).rejects.toThrow(/State must be ACTIVE, PAUSED or CANCELLED/);
      }
      expect((await setState(journey.Id as string, "CANCELLED")).State).toBe("CANCELLED");
    });

    it("a live journey's path cannot change while its other settings can", async () => {
      const journey = await create({ ...featureLaunch(app), State: "ACTIVE" });
      const id = journey.Id as string;
      expect(journey.State).toBe("ACTIVE");
      const changed = featureLaunch(app);
      changed.Activities = { ...changed.Activities, nudge: { SMS: { TemplateName: "Nudge", NextActivity: "thanks" } } };
      const attempt = update(id, changed);
      await expect(attempt).rejects.toBeInstanceOf(ConflictException);
      await expect(attempt).rejects.toThrow(/its Activities cannot change/);
      await expect(update(id, { Name: "x", StartActivity: "wait" })).rejects.toThrow(/its StartActivity cannot change/);
      await expect(update(id, { Name: "x", State: "DRAFT" })).rejects.toThrow(/cannot return to DRAFT/);
      expect(await get(id)).toEqual(journey);

      // The console resends the whole journey: the same path with new settings is an update.
      const resent = { ...featureLaunch(app), Name: "Renamed live", Limits: { DailyCap: 2 } };
      const updated = await update(id, resent);
      expect(updated).toMatchObject({ State: "ACTIVE", Name: "Renamed live", Limits: { DailyCap: 2 } });
      expect(await stored(id)).toMatchObject({ version: 2, state: "ACTIVE" });

      await setState(id, "PAUSED");
      await expect(update(id, changed)).rejects.toBeInstanceOf(ConflictException);
      expect((await get(id)).State).toBe("PAUSED");
    });

    it("UpdateJourney with State ACTIVE publishes a draft once it is complete", async () => {
      const draft = await create({ Name: "Later", Activities: featureLaunch(app).Activities });
      const published = await update(draft.Id as string, {
        Name: "Later",
        State: "ACTIVE",
        StartActivity: "announce",
        StartCondition: { SegmentStartCondition: { SegmentId: app.audienceId } },
        Schedule: featureLaunch(app).Schedule,
      });
      expect(published.State).toBe("ACTIVE");
      expect(await stored(draft.Id as string)).toMatchObject({ state: "ACTIVE", activatedMs: clock.now() });
    });
  });

  describe("deleting", () => {
    it("DeleteJourney removes the journey with its participants, runs and metrics, and nothing of others", async () => {
      const { db } = t.server.services.store;
      const doomed = (await create(featureLaunch(app))).Id as string;
      const kept = (await create(featureLaunch(app))).Id as string;
      for (const journeyId of [doomed, kept]) {
        await insertEntrants(
          db,
          ["a", "b"].map((endpointId) => ({
            appId: app.appId,
            journeyId,
            runId: "r1",
            endpointId,
            entryKey: `run:r1:${endpointId}`,
          })),
          clock.now(),
        );
        await db
          .insertInto("journey_runs")
          .values({
            app_id: app.appId,
            journey_id: journeyId,
            run_id: "r1",
            status: "RUNNING",
            fanout_done: 0,
            creation_ms: clock.now(),
            last_update_ms: clock.now(),
          })
          .execute();
        await addMetrics(
          db,
          [{ appId: app.appId, journeyId, runId: "r1", activityId: "", metric: "ENDPOINT_ENTERED", by: 2 }],
          clock.now(),
        );
      }
      const deleted = await t.client.send(new DeleteJourneyCommand({ ApplicationId: app.appId, JourneyId: doomed }));
      expect(deleted.JourneyResponse?.Id).toBe(doomed);
      await expect(get(doomed)).rejects.toBeInstanceOf(NotFoundException);
      const count = async (table: "journey_participants" | "journey_runs" | "journey_metrics", journeyId: string) =>
        (await db.selectFrom(table).select("journey_id").where("journey_id", "=", journeyId).execute()).length;
      for (const table of ["journey_participants", "journey_runs", "journey_metrics"] as const) {
        expect(await count(table, doomed)).toBe(0);
        expect(await count(table, kept)).toBeGreaterThan(0);
      }
      await expect(
        t.client.send(new DeleteJourneyCommand({ ApplicationId: app.appId, JourneyId: doomed })),
      ).rejects.toBeInstanceOf(NotFoundException);
    });
  });

  it("deleting a live event journey stops its entries at once", async () => {
    const { db } = t.server.services.store;
    const journey = await create({
      Name: "Signed up",
      State: "ACTIVE",
      StartCondition: {
        EventStartCondition: {
          EventFilter: { FilterType: "ENDPOINT", Dimensions: { EventType: { Values: ["signup"] } } },
        },
      },
      StartActivity: "pause",
      Activities: { pause: { Wait: { WaitTime: { WaitFor: "P1D" } } } },
    });
    const journeyId = journey.Id as string;
    const signUp = (endpointId: string) =>
      t.client.send(
        new PutEventsCommand({
          ApplicationId: app.appId,
          EventsRequest: {
            BatchItem: {
              [endpointId]: {
                Endpoint: { ChannelType: "EMAIL", Address: `${endpointId}@example.com` },
                Events: { [`signup-${endpointId}`]: { EventType: "signup", Timestamp: new Date().toISOString() } },
              },
            },
          },
        }),
      );
    const entries = async () =>
      (await db.selectFrom("journey_participants").select("id").where("journey_id", "=", journeyId).execute()).length;
    await signUp("before-delete");
    expect(await entries()).toBe(1);
    await t.client.send(new DeleteJourneyCommand({ ApplicationId: app.appId, JourneyId: journeyId }));
    expect(await entries()).toBe(0);
    await signUp("after-delete");
    expect(await entries()).toBe(0);
  });

  describe("runs and execution metrics", () => {
    let journeyId: string;
    const updatedMs = start + 3_600_000;

    beforeAll(async () => {
      const { db } = t.server.services.store;
      journeyId = (await create(featureLaunch(app))).Id as string;
      for (const [runId, creationMs] of [
        ["r1", start],
        ["r2", start + 86_400_000],
      ] as const) {
        await db
          .insertInto("journey_runs")
          .values({
            app_id: app.appId,
            journey_id: journeyId,
            run_id: runId,
            status: runId === "r1" ? "COMPLETED" : "RUNNING",
            fanout_done: 1,
            creation_ms: creationMs,
            last_update_ms: creationMs + 60_000,
          })
          .execute();
      }
      const counter = (runId: string, activityId: string, metric: string, by: number) => ({
        appId: app.appId,
        journeyId,
        runId,
        activityId,
        metric,
        by,
      });
      await addMetrics(
        db,
        [
          counter("r1", "", "ENDPOINT_ENTERED", 5),
          counter("r1", "", "ENDPOINT_LEFT", 2),
          counter("r2", "", "ENDPOINT_ENTERED", 3),
          counter("r2", "", "CANCELLED", 1),
          counter("r2", "", "REENTRY_CAP_EXCEEDED", 1),
          counter("r1", "announce", "ENDPOINT_ENTERED", 5),
          counter("r1", "announce", "SUCCESS", 4),
          counter("r1", "announce", "THROTTLED", 1),
          counter("r2", "announce", "SUCCESS", 2),
          counter("r1", "opened", "Branch_1", 3),
          counter("r1", "opened", "Branch_2", 2),
        ],
        updatedMs,
      );
    });

    it("GetJourneyExecutionMetrics sums the runs, as strings, with ENDPOINT_ACTIVE derived", async () => {
      const response = await t.client.send(
        new GetJourneyExecutionMetricsCommand({ ApplicationId: app.appId, JourneyId: journeyId }),
      );
      expect(response.JourneyExecutionMetricsResponse).toEqual({
        ApplicationId: app.appId,
        JourneyId: journeyId,
        LastEvaluatedTime: new Date(updatedMs).toISOString(),
        Metrics: {
          ENDPOINT_ENTERED: "8",
          ENDPOINT_LEFT: "2",
          CANCELLED: "1",
          REENTRY_CAP_EXCEEDED: "1",
          ENDPOINT_ACTIVE: "5",
        },
      });
    });

    it("GetJourneyExecutionActivityMetrics reports the activity's counters and its type", async () => {
      const activity = async (activityId: string) =>
        (
          await t.client.send(
            new GetJourneyExecutionActivityMetricsCommand({
              ApplicationId: app.appId,
              JourneyId: journeyId,
              JourneyActivityId: activityId,
            }),
          )
        ).JourneyExecutionActivityMetricsResponse;
      expect(await activity("announce")).toMatchObject({
        ActivityType: "MESSAGE",
        JourneyActivityId: "announce",
        Metrics: { ENDPOINT_ENTERED: "5", SUCCESS: "6", THROTTLED: "1" },
      });
      expect(await activity("opened")).toMatchObject({
        ActivityType: "CONDITIONAL_SPLIT",
        Metrics: { Branch_1: "3", Branch_2: "2" },
      });
      expect(await activity("wait")).toMatchObject({ ActivityType: "WAIT", Metrics: {} });
      expect((await activity("power"))?.ActivityType).toBe("MULTI_CONDITIONAL_SPLIT");
      expect((await activity("split"))?.ActivityType).toBe("RANDOM_SPLIT");
      expect((await activity("holdout"))?.ActivityType).toBe("HOLDOUT");
      expect((await activity("handoff"))?.ActivityType).toBe("CONTACT_CENTER");
      await expect(activity("no-such-activity")).rejects.toBeInstanceOf(NotFoundException);
    });

    it("GetJourneyRuns lists the runs newest first, a page at a time", async () => {
      const first = await t.client.send(
        new GetJourneyRunsCommand({ ApplicationId: app.appId, JourneyId: journeyId, PageSize: "1" }),
      );
      expect(first.JourneyRunsResponse?.Item).toEqual([
        {
          RunId: "r2",
          Status: "RUNNING",
          CreationTime: new Date(start + 86_400_000).toISOString(),
          LastUpdateTime: new Date(start + 86_460_000).toISOString(),
        },
      ]);
      const second = await t.client.send(
        new GetJourneyRunsCommand({
          ApplicationId: app.appId,
          JourneyId: journeyId,
          PageSize: "1",
          Token: first.JourneyRunsResponse?.NextToken,
        }),
      );
      expect(second.JourneyRunsResponse?.Item?.map((item) => [item.RunId, item.Status])).toEqual([["r1", "COMPLETED"]]);
      const third = await t.client.send(
        new GetJourneyRunsCommand({
          ApplicationId: app.appId,
          JourneyId: journeyId,
          PageSize: "1",
          Token: second.JourneyRunsResponse?.NextToken,
        }),
      );
      expect(third.JourneyRunsResponse?.Item).toEqual([]);
    });

    it("run metrics count one run only", async () => {
      const journeyLevel = await t.client.send(
        new GetJourneyRunExecutionMetricsCommand({ ApplicationId: app.appId, JourneyId: journeyId, RunId: "r1" }),
      );
      expect(journeyLevel.JourneyRunExecutionMetricsResponse).toMatchObject({
        RunId: "r1",
        Metrics: { ENDPOINT_ENTERED: "5", ENDPOINT_LEFT: "2", ENDPOINT_ACTIVE: "3" },
      });
      const activity = await t.client.send(
        new GetJourneyRunExecutionActivityMetricsCommand({
          ApplicationId: app.appId,
          JourneyId: journeyId,
          RunId: "r2",
          JourneyActivityId: "announce",
        }),
      );
      expect(activity.JourneyRunExecutionActivityMetricsResponse).toMatchObject({
        ActivityType: "MESSAGE",
        RunId: "r2",
        Metrics: { SUCCESS: "2" },
      });
      await expect(
        t.client.send(
          new GetJourneyRunExecutionMetricsCommand({ ApplicationId: app.appId, JourneyId: journeyId, RunId: "r9" }),
        ),
      ).rejects.toBeInstanceOf(NotFoundException);
    });
  });

  describe("engagement KPIs", () => {
    let journeyId: string;
    const kpi = async (KpiName: string, range: { StartTime?: Date; EndTime?: Date } = {}, id = journeyId) =>
      (
        await t.client.send(
          new GetJourneyDateRangeKpiCommand({ ApplicationId: app.appId, JourneyId: id, KpiName, ...range }),
        )
      ).JourneyDateRangeKpiResponse;
    const single = async (KpiName: string, range?: { StartTime?: Date; EndTime?: Date }) =>
      (await kpi(KpiName, range))?.KpiResult?.Rows?.[0]?.Values?.[0]?.Value;

    beforeAll(async () => {
      journeyId = (await create(featureLaunch(app))).Id as string;
      const services = t.server.services;
      const now = Date.now();
      const event = (
        messageId: string,
        activityId: string,
        eventType: string,
        timestampMs = now,
        journey = journeyId,
      ) => ({
        appId: app.appId,
        endpointId: `endpoint-${messageId}`,
        messageId,
        eventType,
        timestampMs,
        attributes: originAttributes({ journeyId: journey, journeyActivityId: activityId, journeyRunId: "r1" }),
      });
      await recordSystemEvents(services.store.db, services, [
        event("m1", "announce", "_email.send"),
        event("m2", "announce", "_email.send"),
        event("m3", "announce", "_email.send"),
        event("m4", "thanks", "_email.send"),
        event("m5", "thanks", "_email.rejected"),
        event("m1", "announce", "_email.open"),
        event("m2", "announce", "_email.open"),
        event("m1", "announce", "_email.click"),
        event("m3", "announce", "_email.hardbounce"),
        event("m4", "thanks", "_email.open", now - 10 * 86_400_000),
        event("other", "announce", "_email.send", now, "another-journey"),
      ]);
      // A second open and two more clicks of m1, recorded under identities of their own as tracking does.
      await insertEvents(
        services.store.db,
        app.appId,
        ["_email.open", "_email.click", "_email.click"].map((eventType, i) => ({
          endpointId: "endpoint-m1",
          eventId: `again-${i}`,
          event: {
            EventType: eventType,
            Timestamp: new Date(now).toISOString(),
            Attributes: { message_id: "m1", journey_id: journeyId, journey_activity_id: "announce" },
          },
        })),
        now,
      );
    });

    it("counts the journey's emails over the last 7 days by default", async () => {
      expect(await single("journey-emails-sent")).toBe("4.0");
      expect(await single("journey-emails-opened")).toBe("2.0");
      expect(await single("journey-emails-clicked")).toBe("3.0");
      expect(await single("journey-emails-hardbounced")).toBe("1.0");
      expect(await single("journey-emails-delivered")).toBe("3.0");
      expect(await single("journey-emails-rejected")).toBe("1.0");
      expect(await single("journey-emails-unsubscribed")).toBe("0.0");
    });

    it("answers in Pinpoint's KpiResult shape, grouped by activity where the name says so", async () => {
      const grouped = await kpi("emails-sent-grouped-by-journey-activity");
      expect(grouped).toMatchObject({ ApplicationId: app.appId, JourneyId: journeyId });
      expect(grouped?.KpiResult?.Rows).toEqual([
        {
          GroupedBys: [{ Key: "JourneyActivityId", Type: "String", Value: "announce" }],
          Values: [{ Key: "EmailsSent", Type: "Double", Value: "3.0" }],
        },
        {
          GroupedBys: [{ Key: "JourneyActivityId", Type: "String", Value: "thanks" }],
          Values: [{ Key: "EmailsSent", Type: "Double", Value: "1.0" }],
        },
      ]);
      expect((await kpi("journey-emails-opened"))?.KpiResult?.Rows).toEqual([
        { GroupedBys: [], Values: [{ Key: "EmailsOpened", Type: "Double", Value: "2.0" }] },
      ]);
    });

    it("covers the range asked for, and refuses one longer than Pinpoint's 31 days", async () => {
      const now = Date.now();
      const range = { StartTime: new Date(now - 20 * 86_400_000), EndTime: new Date(now + 60_000) };
      expect(await single("journey-emails-opened", range)).toBe("3.0");
      const answered = await kpi("journey-emails-opened", range);
      expect(answered?.StartTime).toEqual(range.StartTime);
      expect(answered?.EndTime).toEqual(range.EndTime);
      const long = kpi("journey-emails-opened", { StartTime: new Date(now - 40 * 86_400_000) });
      await expect(long).rejects.toThrow(/at most 31 days/);
    });

    it("answers no rows for a journey without events, and a 400 for a KPI Pinpoint does not define", async () => {
      const quiet = (await create({ Name: "Quiet" })).Id as string;
      expect((await kpi("journey-emails-sent", {}, quiet))?.KpiResult?.Rows).toEqual([]);
      const unknown = kpi("journey-emails-teleported");
      await expect(unknown).rejects.toBeInstanceOf(BadRequestException);
      await expect(unknown).rejects.toThrow(/Unknown journey KPI 'journey-emails-teleported'/);
    });
  });

  it.runIf(kind === "sqlite")("the AWS CLI creates a journey and reads it back", async () => {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_ENDPOINT_URL_PINPOINT: t.url,
    };
    const aws = async (...args: string[]) =>
      JSON.parse((await run("aws", ["pinpoint", ...args, "--output", "json"], { env })).stdout);
    const request = { ...featureLaunch(app), Schedule: { Timezone: "UTC+01" } };
    const created = await aws(
      "create-journey",
      "--application-id",
      app.appId,
      "--write-journey-request",
      JSON.stringify(request),
    );
    expect(created.JourneyResponse).toMatchObject({ Name: "Feature launch", State: "DRAFT" });
    const read = await aws("get-journey", "--application-id", app.appId, "--journey-id", created.JourneyResponse.Id);
    expect(read.JourneyResponse.Activities).toEqual(request.Activities);
    const refused = run(
      "aws",
      [
        "pinpoint",
        "update-journey-state",
        "--application-id",
        app.appId,
        "--journey-id",
        created.JourneyResponse.Id,
        "--journey-state-request",
        "State=PAUSED",
      ],
      { env },
    );
    await expect(refused).rejects.toMatchObject({ stderr: expect.stringMatching(/ConflictException/) });
  });
});
