/**
 * How endpoints get into journeys, and the journey lifecycle around it: segment runs (at
 * publication, at a later StartTime, at each RefreshFrequency, on a segment update), their durable
 * fan-out, event entry from PutEvents and from Waymark's own events, EndTime, pause and cancel.
 * A real server on both databases, with a manual clock moved past every schedule.
 */
import {
  DeleteJourneyCommand,
  type Event,
  type EventsBatch,
  PutEventsCommand,
  UpdateSegmentCommand,
} from "@aws-sdk/client-pinpoint";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.js";
import type { TaskHelpers } from "../src/jobs/types.js";
import { journeyFanoutTask } from "../src/journeys/triggers/index.js";
import { recordSystemEvents } from "../src/messages/system-events.js";
import {
  createApp,
  endpointIds,
  journeyState,
  metrics,
  participants,
  planSegment,
  publishJourney,
  putAudience,
  runs,
  setJourneyState,
  writeAudience,
} from "./support/journeys.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

const hour = 3_600_000;
const settled = { timeout: 20_000, interval: 50 };

/** An event-started journey on `eventType` events (of FilterType ENDPOINT: PutEvents; SYSTEM: Waymark's own). */
const purchaseJourney = (filterType: "ENDPOINT" | "SYSTEM", eventType: string, attributes = {}) => ({
  Name: `On ${eventType}`,
  StartCondition: {
    EventStartCondition: {
      EventFilter: {
        FilterType: filterType,
        Dimensions: {
          EventType: { DimensionType: "INCLUSIVE" as const, Values: [eventType] },
          Attributes: attributes,
        },
      },
    },
  },
  StartActivity: "pause",
  Activities: { pause: { Wait: { WaitTime: { WaitFor: "P1D" } } } },
});

/** PutEvents: [endpoint id, event id, EventType, Attributes] each, every one with Metrics.price. */
const putEvents = (t: TestServer, appId: string, events: Array<[string, string, string, Record<string, string>]>) => {
  const BatchItem: Record<string, EventsBatch> = {};
  for (const [endpointId, eventId, EventType, Attributes] of events) {
    const events: Record<string, Event> = {};
    BatchItem[endpointId] ??= {
      Endpoint: { ChannelType: "EMAIL", Address: `${endpointId}@example.com` },
      Events: events,
    };
    Object.assign(BatchItem[endpointId].Events ?? events, {
      [eventId]: { EventType, Timestamp: new Date().toISOString(), Attributes, Metrics: { price: 12.5 } },
    });
  }
  return t.client.send(new PutEventsCommand({ ApplicationId: appId, EventsRequest: { BatchItem } }));
};

describe.each(databases)("journey triggers on %s", (kind) => {
  let t: TestServer;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    t = await startTestServer(kind, {}, { clock });
  });
  afterAll(() => t.close());

  /** Moves the journey clock and has the loops look at once. */
  const advance = (ms: number) => {
    clock.advance(ms);
    t.server.services.wake.journeys();
  };

  const waitOnly = (extra: Record<string, unknown> = {}) => ({
    StartActivity: "pause",
    Activities: { pause: { Wait: { WaitTime: { WaitFor: "PT1H" } } } },
    ...extra,
  });

  const journeyMetric = async (journeyId: string, metric: string) => (await metrics(t, journeyId))[`/${metric}`] ?? 0;

  describe("segment journeys", () => {
    it("publishing enters every endpoint of the segment once; the journey completes once everyone has left", async () => {
      const appId = await createApp(t);
      await putAudience(t, appId, endpointIds("pro", 25), "pro");
      await putAudience(t, appId, endpointIds("free", 5), "free");
      const segmentId = await planSegment(t, appId, "pro");
      const journeyId = await publishJourney(t, appId, {
        Name: "Once",
        StartCondition: { SegmentStartCondition: { SegmentId: segmentId } },
        ...waitOnly(),
      });

      await expect
        .poll(async () => (await participants(t, journeyId)).filter((e) => e.status === "ACTIVE").length, settled)
        .toBe(25);
      const [run] = await runs(t, journeyId);
      const entered = await participants(t, journeyId);
      expect(entered.map((e) => e.endpointId)).toEqual(endpointIds("pro", 25));
      expect(entered.map((e) => e.entryKey)).toEqual(endpointIds("pro", 25).map((id) => `run:${run.run_id}:${id}`));
      await expect.poll(async () => (await runs(t, journeyId))[0].fanout_done, settled).toBe(1);
      expect((await runs(t, journeyId))[0]).toMatchObject({ status: "RUNNING", audience_size: 25, entrants: 25 });
      expect(await journeyState(t, journeyId)).toBe("ACTIVE");

      advance(2 * hour);
      await expect
        .poll(async () => (await participants(t, journeyId)).every((e) => e.status === "LEFT"), settled)
        .toBe(true);
      advance(61_000);
      await expect.poll(() => journeyState(t, journeyId), settled).toBe("COMPLETED");
      expect((await runs(t, journeyId)).map((r) => r.status)).toEqual(["COMPLETED"]);
      expect(await participants(t, journeyId)).toHaveLength(25);
    });

    it("a later Schedule.StartTime holds the first run SCHEDULED until then", async () => {
      const appId = await createApp(t);
      await putAudience(t, appId, endpointIds("later", 4));
      const segmentId = await planSegment(t, appId);
      const startTime = new Date(clock.now() + 24 * hour).toISOString();
      const journeyId = await publishJourney(t, appId, {
        Name: "Tomorrow",
        StartCondition: { SegmentStartCondition: { SegmentId: segmentId } },
        Schedule: { StartTime: new Date(startTime) },
        ...waitOnly(),
      });
      expect((await runs(t, journeyId)).map((r) => r.status)).toEqual(["SCHEDULED"]);
      advance(23 * hour);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await participants(t, journeyId)).toEqual([]);

      advance(hour);
      await expect.poll(async () => (await participants(t, journeyId)).length, settled).toBe(4);
      expect((await runs(t, journeyId))[0].status).toBe("RUNNING");
    });

    it("RefreshFrequency starts a run at each refresh, and new members of the segment enter", async () => {
      const appId = await createApp(t);
      await putAudience(t, appId, endpointIds("member", 6));
      const segmentId = await planSegment(t, appId);
      const journeyId = await publishJourney(t, appId, {
        Name: "Hourly",
        StartCondition: { SegmentStartCondition: { SegmentId: segmentId } },
        RefreshFrequency: "PT1H",
        StartActivity: "pause",
        Activities: { pause: { Wait: { WaitTime: { WaitFor: "P1D" } } } },
      });
      await expect.poll(async () => (await participants(t, journeyId)).length, settled).toBe(6);
      await putAudience(t, appId, endpointIds("member", 3, 6));

      advance(30 * 60_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await runs(t, journeyId)).toHaveLength(1);
      advance(30 * 60_000);
      await expect.poll(async () => (await runs(t, journeyId)).length, settled).toBe(2);
      const second = (await runs(t, journeyId))[1].run_id;
      await expect
        .poll(async () => (await participants(t, journeyId)).filter((e) => e.runId === second).length, settled)
        .toBe(9);
      // The newcomers are in; the others were already in the journey, and the engine keeps them once.
      await expect
        .poll(
          async () =>
            (await participants(t, journeyId))
              .filter((e) => e.status === "ACTIVE")
              .map((e) => e.endpointId)
              .sort(),
          settled,
        )
        .toEqual(endpointIds("member", 9));
      expect(await journeyState(t, journeyId)).toBe("ACTIVE");
    });

    it("RefreshOnSegmentUpdate starts a run when the segment gets a new version", async () => {
      const appId = await createApp(t);
      await putAudience(t, appId, endpointIds("pro", 3), "pro");
      await putAudience(t, appId, endpointIds("max", 2), "max");
      const segmentId = await planSegment(t, appId, "pro");
      const journeyId = await publishJourney(t, appId, {
        Name: "On update",
        StartCondition: { SegmentStartCondition: { SegmentId: segmentId } },
        RefreshOnSegmentUpdate: true,
        StartActivity: "pause",
        Activities: { pause: { Wait: { WaitTime: { WaitFor: "P1D" } } } },
      });
      await expect.poll(async () => (await participants(t, journeyId)).length, settled).toBe(3);
      const [first] = await runs(t, journeyId);

      await t.client.send(
        new UpdateSegmentCommand({
          ApplicationId: appId,
          SegmentId: segmentId,
          WriteSegmentRequest: {
            Dimensions: { Attributes: { Plan: { AttributeType: "INCLUSIVE", Values: ["pro", "max"] } } },
          },
        }),
      );
      await expect.poll(async () => (await runs(t, journeyId)).length, settled).toBe(2);
      const second = (await runs(t, journeyId)).find((run) => run.run_id !== first.run_id);
      await expect
        .poll(async () => (await participants(t, journeyId)).filter((e) => e.runId === second?.run_id).length, settled)
        .toBe(5);
      expect((await runs(t, journeyId)).find((run) => run.run_id === second?.run_id)?.segment_version).toBe(2);
    });

    it("Schedule.EndTime closes the journey: nobody enters any more and those still in it leave", async () => {
      const appId = await createApp(t);
      await putAudience(t, appId, endpointIds("closing", 5));
      const segmentId = await planSegment(t, appId);
      const journeyId = await publishJourney(t, appId, {
        Name: "Until tonight",
        StartCondition: { SegmentStartCondition: { SegmentId: segmentId } },
        RefreshFrequency: "PT1H",
        Schedule: { EndTime: new Date(clock.now() + 2 * hour + 60_000) },
        StartActivity: "pause",
        Activities: { pause: { Wait: { WaitTime: { WaitFor: "P1D" } } } },
      });
      await expect
        .poll(async () => (await participants(t, journeyId)).filter((e) => e.status === "ACTIVE").length, settled)
        .toBe(5);

      advance(3 * hour);
      await expect.poll(() => journeyState(t, journeyId), settled).toBe("CLOSED");
      await expect
        .poll(
          async () => (await participants(t, journeyId)).every((e) => e.status !== "ACTIVE" && e.status !== "ENTERING"),
          settled,
        )
        .toBe(true);
      expect(await journeyMetric(journeyId, "ENDPOINT_LEFT")).toBe(
        (await participants(t, journeyId)).filter((e) => e.status === "LEFT").length,
      );
      expect((await participants(t, journeyId)).filter((e) => e.status === "LEFT").map((e) => e.endpointId)).toEqual(
        endpointIds("closing", 5),
      );
      expect((await runs(t, journeyId)).every((r) => r.status === "COMPLETED" || r.status === "CANCELLED")).toBe(true);

      const runsAtClose = (await runs(t, journeyId)).length;
      advance(2 * hour);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await runs(t, journeyId)).toHaveLength(runsAtClose);
    });
  });

  describe("the fan-out task", () => {
    /**
     * A journey whose first run waits for a StartTime a year away, then started by hand, so the
     * test runs its fan-out itself (the server's worker never sees a job for it).
     */
    const runByHand = async (count: number) => {
      const appId = await createApp(t);
      await writeAudience(t, appId, endpointIds("fan", count));
      const segmentId = await planSegment(t, appId);
      const journeyId = await publishJourney(t, appId, {
        Name: "By hand",
        StartCondition: { SegmentStartCondition: { SegmentId: segmentId } },
        Schedule: { StartTime: new Date(clock.now() + 365 * 24 * hour) },
        StartActivity: "pause",
        Activities: { pause: { Wait: { WaitTime: { WaitFor: "P1D" } } } },
      });
      const [run] = await runs(t, journeyId);
      await t.server.services.store.db
        .updateTable("journey_runs")
        .set({ status: "RUNNING" })
        .where("journey_id", "=", journeyId)
        .execute();
      return { appId, journeyId, runId: run.run_id };
    };

    const helpers = (options: { afterPage?: (page: number) => Promise<void>; stopAfter?: number }): TaskHelpers => {
      const abort = new AbortController();
      let pages = 0;
      return {
        services: t.server.services,
        job: { id: 0, task: "journey-fanout", payload: {}, attempts: 1, max_attempts: 25 },
        log: t.server.app.log,
        signal: abort.signal,
        async heartbeat() {
          pages += 1;
          await options.afterPage?.(pages);
          if (pages === options.stopAfter) abort.abort();
        },
      };
    };

    it("stopped after a page, it resumes from its cursor: everyone enters exactly once", async () => {
      const { appId, journeyId, runId } = await runByHand(2500);
      await journeyFanoutTask({ appId, journeyId, runId }, helpers({ stopAfter: 1 }));
      expect(await participants(t, journeyId)).toHaveLength(1000);
      expect((await runs(t, journeyId))[0]).toMatchObject({ cursor: "fan-0999", fanout_done: 0, entrants: 1000 });

      await journeyFanoutTask({ appId, journeyId, runId }, helpers({}));
      const all = await participants(t, journeyId);
      expect(all.map((e) => e.endpointId)).toEqual(endpointIds("fan", 2500));
      expect((await runs(t, journeyId))[0]).toMatchObject({ fanout_done: 1, entrants: 2500, audience_size: 2500 });
    });

    it("cancelling the journey stops its fan-out and ends everyone who entered", async () => {
      const { appId, journeyId, runId } = await runByHand(2500);
      await journeyFanoutTask(
        { appId, journeyId, runId },
        helpers({
          afterPage: async (page) => {
            if (page === 1) await setJourneyState(t, appId, journeyId, "CANCELLED");
          },
        }),
      );
      const all = await participants(t, journeyId);
      expect(all).toHaveLength(1000);
      expect(all.every((e) => e.status === "CANCELLED")).toBe(true);
      expect((await runs(t, journeyId))[0]).toMatchObject({ status: "CANCELLED", fanout_done: 0, entrants: 1000 });
      expect(await journeyState(t, journeyId)).toBe("CANCELLED");
    });
  });

  describe("event journeys", () => {
    it("publishing creates the run every event entry goes into", async () => {
      const appId = await createApp(t);
      const journeyId = await publishJourney(t, appId, purchaseJourney("ENDPOINT", "purchase"));
      expect((await runs(t, journeyId)).map((r) => r.status)).toEqual(["RUNNING"]);
    });

    it("a matching PutEvents event enters its endpoint with the event; a retried event enters nobody twice", async () => {
      const appId = await createApp(t);
      const journeyId = await publishJourney(
        t,
        appId,
        purchaseJourney("ENDPOINT", "purchase", { sku: { AttributeType: "INCLUSIVE", Values: ["A1"] } }),
      );
      const [run] = await runs(t, journeyId);
      const batch: Array<[string, string, string, Record<string, string>]> = [
        ["buyer", "order-1", "purchase", { sku: "A1" }],
        ["other-sku", "order-2", "purchase", { sku: "B2" }],
        ["browser", "view-1", "page_view", { sku: "A1" }],
      ];
      await putEvents(t, appId, batch);
      await putEvents(t, appId, batch);

      const entered = await participants(t, journeyId);
      expect(entered).toMatchObject([
        {
          endpointId: "buyer",
          runId: run.run_id,
          entryKey: "event:buyer:order-1",
          status: expect.stringMatching(/ENTERING|ACTIVE/),
          broadcastId: null,
          triggerEvent: { EventType: "purchase", Attributes: { sku: "A1" }, Metrics: { price: 12.5 } },
        },
      ]);
      await expect.poll(async () => (await participants(t, journeyId))[0].status, settled).toBe("ACTIVE");
    });

    it("events Waymark records itself enter SYSTEM journeys, and only those", async () => {
      const appId = await createApp(t);
      const systemJourney = await publishJourney(t, appId, purchaseJourney("SYSTEM", "_email.open"));
      const endpointJourney = await publishJourney(t, appId, purchaseJourney("ENDPOINT", "_email.open"));
      const { services } = t.server;
      await services.store.db.transaction().execute((trx) =>
        recordSystemEvents(trx, services, [
          {
            appId,
            endpointId: "reader",
            messageId: "m-1",
            eventType: "_email.open",
            timestampMs: Date.now(),
            attributes: {},
          },
        ]),
      );
      await putEvents(t, appId, [["self-reported", "e-1", "_email.open", {}]]);

      expect((await participants(t, systemJourney)).map((e) => e.entryKey)).toEqual(["event:reader:m-1:_email.open"]);
      expect((await participants(t, endpointJourney)).map((e) => e.entryKey)).toEqual(["event:self-reported:e-1"]);
    });

    it("a paused journey takes no entries until it resumes", async () => {
      const appId = await createApp(t);
      const journeyId = await publishJourney(t, appId, purchaseJourney("ENDPOINT", "purchase"));
      await setJourneyState(t, appId, journeyId, "PAUSED");
      await putEvents(t, appId, [["early", "e-1", "purchase", {}]]);
      expect(await participants(t, journeyId)).toEqual([]);

      await setJourneyState(t, appId, journeyId, "ACTIVE");
      await putEvents(t, appId, [["later", "e-2", "purchase", {}]]);
      expect((await participants(t, journeyId)).map((e) => e.endpointId)).toEqual(["later"]);
    });

    it("a cancelled journey ends its participants, and the sweep ends entries and runs written after the cancel", async () => {
      const appId = await createApp(t);
      const journeyId = await publishJourney(t, appId, purchaseJourney("ENDPOINT", "purchase"));
      await putEvents(t, appId, [["first", "e-1", "purchase", {}]]);
      await expect.poll(async () => (await participants(t, journeyId))[0]?.status, settled).toBe("ACTIVE");

      await setJourneyState(t, appId, journeyId, "CANCELLED");
      expect((await participants(t, journeyId)).map((e) => e.status)).toEqual(["CANCELLED"]);
      expect(await journeyMetric(journeyId, "CANCELLED")).toBe(1);
      expect((await runs(t, journeyId)).map((r) => r.status)).toEqual(["CANCELLED"]);
      await putEvents(t, appId, [["second", "e-2", "purchase", {}]]);
      expect(await participants(t, journeyId)).toHaveLength(1);

      // What another process, not yet aware of the cancel, could still have written.
      const { db } = t.server.services.store;
      await db
        .insertInto("journey_participants")
        .values({
          app_id: appId,
          journey_id: journeyId,
          run_id: (await runs(t, journeyId))[0].run_id,
          endpoint_id: "straggler",
          entry_key: "event:straggler:e-3",
          status: "ENTERING",
          activity_id: "",
          step: 0,
          wake_ms: clock.now(),
          entered_ms: clock.now(),
          activity_entered_ms: clock.now(),
          broadcast_id: null,
          trigger_event: null,
          messages: "{}",
          sent_total: 0,
          sent_day_start_ms: 0,
          sent_today: 0,
        })
        .execute();
      // And a broadcast's run, matched before the cancel had committed.
      await db
        .insertInto("journey_runs")
        .values({
          app_id: appId,
          journey_id: journeyId,
          run_id: "late-broadcast",
          status: "RUNNING",
          broadcast_id: null,
          segment_version: null,
          cursor: null,
          fanout_done: 0,
          creation_ms: clock.now(),
          last_update_ms: clock.now(),
        })
        .execute();
      advance(11_000);
      await expect
        .poll(async () => (await participants(t, journeyId)).find((e) => e.endpointId === "straggler")?.status, settled)
        .toBe("CANCELLED");
      expect((await runs(t, journeyId)).map((r) => r.status)).toEqual(["CANCELLED", "CANCELLED"]);
    });
  });
});

describe("two processes on one PostgreSQL database", () => {
  const clock = new ManualClock(Date.now());
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    first = await startTestServer("postgres", {}, { clock });
    second = await startTestServer("postgres", {}, { clock, database: first.database });
  });
  afterAll(async () => {
    await second.server.close();
    await first.close();
  });

  it("start each refresh once, and fan each run out once", async () => {
    const appId = await createApp(first);
    await putAudience(first, appId, endpointIds("shared", 30));
    const segmentId = await planSegment(first, appId);
    const journeyId = await publishJourney(first, appId, {
      Name: "Shared",
      StartCondition: { SegmentStartCondition: { SegmentId: segmentId } },
      RefreshFrequency: "PT1H",
      StartActivity: "pause",
      Activities: { pause: { Wait: { WaitTime: { WaitFor: "P1D" } } } },
    });
    for (let refresh = 1; refresh <= 5; refresh++) {
      clock.advance(hour);
      first.server.services.wake.journeys();
      second.server.services.wake.journeys();
      await expect.poll(async () => (await runs(first, journeyId)).length, settled).toBe(refresh + 1);
    }
    await expect
      .poll(async () => (await runs(first, journeyId)).every((run) => run.fanout_done === 1), settled)
      .toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const all = await runs(first, journeyId);
    expect(all).toHaveLength(6);
    expect(all.map((run) => run.entrants)).toEqual([30, 30, 30, 30, 30, 30]);
    expect(await participants(first, journeyId)).toHaveLength(180);
  });

  it("no event enters a journey DeleteJourney removed, though this process read its event journeys while the delete was under way", async () => {
    const appId = await createApp(first);
    const journeyId = await publishJourney(first, appId, purchaseJourney("ENDPOINT", "purchase"));
    // The other process holds the journey's run, so the delete (cancelling the journey on its way)
    // waits inside its transaction, after it has told this process to forget its event journeys.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = () => {};
    const holding = new Promise<void>((resolve) => {
      held = resolve;
    });
    const otherTransaction = second.server.services.store.db.transaction().execute(async (trx) => {
      await trx.selectFrom("journey_runs").select("run_id").where("journey_id", "=", journeyId).forUpdate().execute();
      held();
      await released;
    });
    await holding;
    const deleting = first.client.send(new DeleteJourneyCommand({ ApplicationId: appId, JourneyId: journeyId }));
    const { db } = first.server.services.store;
    await expect
      .poll(async () => {
        const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
        return waiting.rows[0].n;
      }, settled)
      .toBeGreaterThan(0);
    // An event now reads the app's event journeys: the journey is still ACTIVE for everyone else.
    await putEvents(first, appId, [["during", "e-1", "purchase", {}]]);
    release();
    await otherTransaction;
    await deleting;

    await putEvents(first, appId, [["after", "e-2", "purchase", {}]]);
    expect(await participants(first, journeyId)).toEqual([]);
  });
});
