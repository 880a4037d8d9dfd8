import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.js";
import { enteredByTests } from "./support/journey-definitions.js";
import {
  createApp,
  dayMs,
  engineStart,
  enter,
  hourMs,
  metrics,
  participants,
  planSegment,
  publishJourney,
  putEndpoints,
  settle,
} from "./support/journeys.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

describe.each(databases)("journey entry on %s", (kind) => {
  let t: TestServer;
  let appId: string;
  let proSegment: string;
  const clock = new ManualClock(engineStart);
  const oneHourWait = { Wait: { WaitTime: { WaitFor: "PT1H" } } };

  beforeAll(async () => {
    t = await startTestServer(kind, {}, { clock });
    appId = await createApp(t, "Engine entry");
    proSegment = await planSegment(t, appId, "pro");
    await putEndpoints(t, appId, [
      { Id: "pro", ChannelType: "EMAIL", Address: "pro@example.com", Attributes: { Plan: ["pro"] } },
      { Id: "free", ChannelType: "EMAIL", Address: "free@example.com", Attributes: { Plan: ["free"] } },
      { Id: "no-address", ChannelType: "EMAIL", Attributes: { Plan: ["pro"] } },
      {
        Id: "inactive",
        ChannelType: "EMAIL",
        Address: "inactive@example.com",
        EndpointStatus: "INACTIVE",
        Attributes: { Plan: ["pro"] },
      },
      { Id: "quit", ChannelType: "EMAIL", Address: "quit@example.com", OptOut: "ALL", Attributes: { Plan: ["pro"] } },
    ]);
  });
  afterAll(() => t.close());

  it("refuses entries whose endpoint cannot be reached or is outside the event journey's segment, with their metrics", async () => {
    clock.set(engineStart);
    const journeyId = await publishJourney(t, appId, {
      ...enteredByTests({ StartActivity: "wait", Activities: { wait: oneHourWait } }),
      StartCondition: {
        EventStartCondition: {
          EventFilter: {
            FilterType: "ENDPOINT",
            Dimensions: { EventType: { DimensionType: "INCLUSIVE", Values: ["no-such-event"] } },
          },
          SegmentId: proSegment,
        },
      },
    });
    await enter(t, appId, journeyId, ["pro", "free", "no-address", "inactive", "quit", "gone"]);
    await settle(t);
    expect(Object.fromEntries((await participants(t, journeyId)).map((p) => [p.endpointId, p.status]))).toEqual({
      pro: "ACTIVE",
      free: "REJECTED",
      "no-address": "REJECTED",
      inactive: "REJECTED",
      quit: "REJECTED",
      gone: "REJECTED",
    });
    expect(await metrics(t, journeyId)).toEqual({
      "/ENDPOINT_PRODUCED": 6,
      "/ENDPOINT_MISSING_ADDRESS": 2,
      "/ENDPOINT_INACTIVE": 1,
      "/ENDPOINT_OPT_OUT": 1,
      "/FILTERED_OUT_BY_SEGMENT": 1,
      "/ENDPOINT_ENTERED": 1,
      "wait/ENDPOINT_ENTERED": 1,
    });
  });

  it("an endpoint in the journey is not let in again; after it leaves, EndpointReentryCap and EndpointReentryInterval decide", async () => {
    clock.set(engineStart);
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "wait",
        Limits: { EndpointReentryCap: 2, EndpointReentryInterval: "P1D" },
        Activities: { wait: oneHourWait },
      }),
    );
    const entry = async (key: string) => {
      await enter(t, appId, journeyId, ["pro"], { key });
      await settle(t);
      return (await participants(t, journeyId)).at(-1)?.status;
    };
    expect(await entry("first")).toBe("ACTIVE");
    expect(await entry("while-active")).toBe("REJECTED");
    clock.advance(hourMs);
    await settle(t);
    expect(await entry("too-soon")).toBe("REJECTED");
    clock.set(engineStart + dayMs);
    expect(await entry("second")).toBe("ACTIVE");
    clock.advance(2 * dayMs);
    expect(await entry("third")).toBe("REJECTED");
    expect(await metrics(t, journeyId)).toMatchObject({
      "/ENDPOINT_PRODUCED": 5,
      "/ENDPOINT_ENTERED": 2,
      "/ACTIVE_ENDPOINT_REJECTED": 1,
      "/REENTRY_CAP_EXCEEDED": 2,
      "/ENDPOINT_LEFT": 2,
    });
  });

  it("without EndpointReentryCap an endpoint enters once; with 0 it enters as often as it comes", async () => {
    const once = await publishJourney(
      t,
      appId,
      enteredByTests({ StartActivity: "wait", Activities: { wait: oneHourWait } }),
    );
    const always = await publishJourney(
      t,
      appId,
      enteredByTests({ StartActivity: "wait", Limits: { EndpointReentryCap: 0 }, Activities: { wait: oneHourWait } }),
    );
    for (const key of ["a", "b", "c"]) {
      await enter(t, appId, once, ["free"], { key });
      await enter(t, appId, always, ["free"], { key });
      await settle(t);
      clock.advance(hourMs);
      await settle(t);
    }
    expect((await participants(t, once)).map((p) => p.status)).toEqual(["LEFT", "REJECTED", "REJECTED"]);
    expect((await participants(t, always)).map((p) => p.status)).toEqual(["LEFT", "LEFT", "LEFT"]);
  });

  it("nobody moves before the journey's Schedule.StartTime, nor after its EndTime", async () => {
    clock.set(engineStart);
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "first",
        Schedule: { StartTime: new Date(engineStart + dayMs), EndTime: new Date(engineStart + dayMs + 3 * hourMs) },
        Activities: {
          first: { Wait: { WaitTime: { WaitFor: "PT2H" }, NextActivity: "second" } },
          second: { Wait: { WaitTime: { WaitFor: "PT2H" } } },
        },
      }),
    );
    await enter(t, appId, journeyId, ["pro"]);
    await settle(t);
    expect((await participants(t, journeyId))[0]).toMatchObject({ status: "ENTERING", wakeMs: engineStart + dayMs });
    expect(await metrics(t, journeyId)).toEqual({});
    clock.set(engineStart + dayMs);
    await settle(t);
    expect((await participants(t, journeyId))[0]).toMatchObject({ status: "ACTIVE", activityId: "first" });
    clock.advance(2 * hourMs);
    await settle(t);
    expect((await participants(t, journeyId))[0].activityId).toBe("second");
    // The end has passed when the second wait is over: the engine leaves it where it is.
    const { step } = (await participants(t, journeyId))[0];
    clock.advance(2 * hourMs);
    await settle(t);
    expect((await participants(t, journeyId))[0]).toMatchObject({ activityId: "second", step });
  });
});
