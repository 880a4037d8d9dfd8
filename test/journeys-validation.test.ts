/**
 * Bad journeys are refused with a 400 that names the activity or field at fault, at create, at
 * update and at activation, and a refused request changes nothing.
 */
import {
  type Activity,
  BadRequestException,
  CreateJourneyCommand,
  GetJourneyCommand,
  ListJourneysCommand,
  UpdateJourneyCommand,
  UpdateJourneyStateCommand,
  type WriteJourneyRequest,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { featureLaunch } from "./support/journey-definitions.js";
import { type JourneyApp, journeyApp } from "./support/journeys.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";
import { signedFetch } from "./support/signed-fetch.js";

type Change = (request: WriteJourneyRequest) => void;

const activities = (request: WriteJourneyRequest) => request.Activities as Record<string, Activity>;

/** Each case changes the valid feature launch one way and names what the 400 must say. */
const badDefinitions: Array<[string, Change, RegExp]> = [
  [
    "a NextActivity that is no activity",
    (r) => {
      activities(r).announce = { EMAIL: { TemplateName: "Launch", NextActivity: "nowhere" } };
    },
    /Activity 'announce': NextActivity 'nowhere' is not an activity/,
  ],
  [
    "a split branch that is no activity",
    (r) => {
      activities(r).split = { RandomSplit: { Branches: [{ Percentage: 100, NextActivity: "gone" }] } };
    },
    /Activity 'split': Branches\[0\]\.NextActivity 'gone'/,
  ],
  [
    "a StartActivity that is no activity",
    (r) => {
      r.StartActivity = "first";
    },
    /StartActivity 'first'/,
  ],
  [
    "a loop without a wait",
    (r) => {
      activities(r).handoff = { ContactCenter: { NextActivity: "holdout" } };
    },
    /Activities 'handoff' → 'holdout' → 'split' → 'handoff' form a loop without a wait/,
  ],
  [
    "a loop whose only wait is a date, which lets everyone through once it has passed",
    (r) => {
      activities(r).handoff = { Wait: { WaitTime: { WaitUntil: "2031-01-05T00:00:00Z" }, NextActivity: "holdout" } };
    },
    /form a loop without a wait/,
  ],
  [
    "an activity of two kinds",
    (r) => {
      activities(r).handoff = { ContactCenter: {}, Holdout: { Percentage: 5 } };
    },
    /Activity 'handoff' holds Holdout and ContactCenter: an activity is exactly one kind/,
  ],
  [
    "an activity of no kind",
    (r) => {
      activities(r).handoff = { Description: "nothing" };
    },
    /Activity 'handoff' holds no activity/,
  ],
  [
    "an unknown template",
    (r) => {
      activities(r).thanks = { EMAIL: { TemplateName: "Missing" } };
    },
    /Activity 'thanks': there is no EMAIL template 'Missing'/,
  ],
  [
    "an unknown template version",
    (r) => {
      activities(r).thanks = { EMAIL: { TemplateName: "Launch", TemplateVersion: "9" } };
    },
    /Activity 'thanks': there is no EMAIL template 'Launch' version 9/,
  ],
  [
    "a template of another channel",
    (r) => {
      activities(r).nudge = { SMS: { TemplateName: "Launch" } };
    },
    /Activity 'nudge': there is no SMS template 'Launch'/,
  ],
  [
    "an unknown start segment",
    (r) => {
      r.StartCondition = { SegmentStartCondition: { SegmentId: "no-such-segment" } };
    },
    /StartCondition.SegmentStartCondition: there is no segment 'no-such-segment'/,
  ],
  [
    "an unknown segment in a split",
    (r) => {
      activities(r).power = {
        MultiCondition: {
          Branches: [{ Condition: { SegmentCondition: { SegmentId: "gone" } }, NextActivity: "thanks" }],
        },
      };
    },
    /Activity 'power': SegmentCondition: there is no segment 'gone'/,
  ],
  [
    "an engagement split on an activity that sends no message",
    (r) => {
      const opened = activities(r).opened.ConditionalSplit;
      if (opened?.Condition?.Conditions?.[0].EventCondition)
        opened.Condition.Conditions[0].EventCondition.MessageActivity = "wait";
    },
    /Activity 'opened'.*MessageActivity 'wait' is not a message activity/,
  ],
  [
    "an engagement split on a message sent only after it",
    (r) => {
      const opened = activities(r).opened.ConditionalSplit;
      if (opened?.Condition?.Conditions?.[0].EventCondition)
        opened.Condition.Conditions[0].EventCondition.MessageActivity = "thanks";
    },
    /MessageActivity 'thanks' does not come before activity 'opened'/,
  ],
  [
    "an engagement split on another channel's outcome",
    (r) => {
      const condition = activities(r).opened.ConditionalSplit?.Condition?.Conditions?.[0].EventCondition;
      if (condition) condition.Dimensions = { EventType: { Values: ["_SMS.SUCCESS"] } };
    },
    /'_SMS.SUCCESS' is not an outcome of EMAIL activity 'announce'/,
  ],
  [
    "an event start without an event type",
    (r) => {
      r.StartCondition = { EventStartCondition: { EventFilter: { FilterType: "ENDPOINT", Dimensions: {} } } };
    },
    /EventStartCondition needs an EventFilter whose Dimensions.EventType/,
  ],
  [
    "a broadcast start without a segment",
    (r) => {
      r.StartCondition = {
        EventStartCondition: {
          EventFilter: { FilterType: "BROADCAST" as "ENDPOINT", Dimensions: { EventType: { Values: ["launch"] } } },
        },
      };
    },
    /A BROADCAST EventStartCondition needs a SegmentId/,
  ],
  [
    "more than 40 activities",
    (r) => {
      for (let i = 0; i < 40; i += 1) activities(r)[`extra${i}`] = { ContactCenter: {} };
    },
    /at most 40 activities; this one has 49/,
  ],
  [
    "a DailyCap over 100",
    (r) => {
      r.Limits = { DailyCap: 101 };
    },
    /Limits.DailyCap must be a whole number from 0 to 100/,
  ],
  [
    "an EndpointReentryCap over 100",
    (r) => {
      r.Limits = { EndpointReentryCap: 150 };
    },
    /Limits.EndpointReentryCap/,
  ],
  [
    "a TimeframeCap over 100",
    (r) => {
      r.Limits = { TimeframeCap: { Cap: 101, Days: 1 } };
    },
    /TimeframeCap.Cap/,
  ],
  [
    "a multivariate split with five branches",
    (r) => {
      const branch = { Condition: { SegmentCondition: { SegmentId: "x" } }, NextActivity: "thanks" };
      activities(r).power = { MultiCondition: { Branches: [branch, branch, branch, branch, branch] } };
    },
    /Activity 'power': MultiCondition holds at most 4 Branches/,
  ],
  [
    "a random split with six branches",
    (r) => {
      activities(r).split = { RandomSplit: { Branches: Array.from({ length: 6 }, () => ({ Percentage: 10 })) } };
    },
    /Activity 'split': RandomSplit needs 1 to 5 Branches; it has 6/,
  ],
  [
    "random split percentages that do not add up to 100",
    (r) => {
      activities(r).split = { RandomSplit: { Branches: [{ Percentage: 60 }, { Percentage: 60 }] } };
    },
    /Activity 'split': RandomSplit Branches' percentages add up to 120, not 100/,
  ],
  [
    "a holdout over 100 percent",
    (r) => {
      activities(r).holdout = { Holdout: { Percentage: 101, NextActivity: "split" } };
    },
    /Activity 'holdout': Holdout.Percentage must be a whole number from 0 to 100/,
  ],
  [
    "a WaitFor that is not a duration",
    (r) => {
      activities(r).wait = { Wait: { WaitTime: { WaitFor: "2 days" }, NextActivity: "opened" } };
    },
    /Activity 'wait': Wait.WaitTime.WaitFor must be an ISO 8601 duration/,
  ],
  [
    "a wait with neither a duration nor a date",
    (r) => {
      activities(r).wait = { Wait: { NextActivity: "opened" } };
    },
    /Activity 'wait': Wait.WaitTime needs exactly one of WaitFor/,
  ],
  [
    "a WaitUntil that is not a date",
    (r) => {
      activities(r).wait = { Wait: { WaitTime: { WaitUntil: "next Monday" }, NextActivity: "opened" } };
    },
    /Wait.WaitTime.WaitUntil must be an ISO 8601 date/,
  ],
  [
    "an EvaluationWaitTime that is not a duration",
    (r) => {
      const split = activities(r).opened.ConditionalSplit;
      if (split) split.EvaluationWaitTime = { WaitFor: "1h" };
    },
    /Activity 'opened': ConditionalSplit.EvaluationWaitTime.WaitFor must be an ISO 8601 duration/,
  ],
  [
    "a RefreshFrequency that is not a duration",
    (r) => {
      r.RefreshFrequency = "daily";
    },
    /RefreshFrequency must be/,
  ],
  [
    "an EndpointReentryInterval that is not a duration",
    (r) => {
      r.Limits = { EndpointReentryInterval: "P1X" };
    },
    /Limits.EndpointReentryInterval must be an ISO 8601 duration/,
  ],
  [
    "an unknown time zone",
    (r) => {
      r.Schedule = { Timezone: "Mars/Olympus" };
    },
    /Schedule.Timezone must be an IANA time zone/,
  ],
  [
    "an end before the start",
    (r) => {
      r.Schedule = { StartTime: new Date("2031-02-01T00:00:00Z"), EndTime: new Date("2031-01-01T00:00:00Z") };
    },
    /Schedule.EndTime must come after Schedule.StartTime/,
  ],
  [
    "a quiet time that is no time of day",
    (r) => {
      r.QuietTime = { Start: "25:00", End: "08:00" };
    },
    /QuietTime.Start/,
  ],
  [
    "a quiet time without its end",
    (r) => {
      r.QuietTime = { Start: "22:00" };
    },
    /QuietTime needs both a Start and an End/,
  ],
  [
    "open hours on a day that is no weekday",
    (r) => {
      r.OpenHours = { EMAIL: { FUNDAY: [{ StartTime: "09:00", EndTime: "17:00" }] } as never };
    },
    /OpenHours.EMAIL has a day FUNDAY/,
  ],
  [
    "closed days that end before they start",
    (r) => {
      r.ClosedDays = { SMS: [{ Name: "Holiday", StartDateTime: "2031-12-26T00:00", EndDateTime: "2031-12-25T00:00" }] };
    },
    /ClosedDays.SMS\[0\] ends before it starts/,
  ],
  [
    "a state no create may set",
    (r) => {
      r.State = "PAUSED";
    },
    /State PAUSED cannot be set here/,
  ],
];

describe.each(databases)("journey validation on %s", (kind) => {
  let t: TestServer;
  let app: JourneyApp;

  const journeyCount = async () =>
    (await t.client.send(new ListJourneysCommand({ ApplicationId: app.appId }))).JourneysResponse?.Item?.length;

  beforeAll(async () => {
    t = await startTestServer(kind);
    app = await journeyApp(t);
  });
  afterAll(() => t.close());

  it("accepts the feature launch with every kind of activity, published at once", async () => {
    const created = await t.client.send(
      new CreateJourneyCommand({
        ApplicationId: app.appId,
        WriteJourneyRequest: { ...featureLaunch(app), State: "ACTIVE" },
      }),
    );
    expect(created.JourneyResponse?.State).toBe("ACTIVE");
  });

  it.each(badDefinitions)("refuses %s, and keeps nothing", async (_case, change, message) => {
    const before = await journeyCount();
    const request = structuredClone(featureLaunch(app));
    change(request);
    const attempt = t.client.send(new CreateJourneyCommand({ ApplicationId: app.appId, WriteJourneyRequest: request }));
    await expect(attempt).rejects.toBeInstanceOf(BadRequestException);
    await expect(attempt).rejects.toThrow(message);
    expect(await journeyCount()).toBe(before);
  });

  it("accepts a loop that waits, Pinpoint's UTC offsets and a journey started by a broadcast", async () => {
    const request = structuredClone(featureLaunch(app));
    activities(request).handoff = { Wait: { WaitTime: { WaitFor: "P1D" }, NextActivity: "holdout" } };
    request.Schedule = { Timezone: "UTC+05:30" };
    request.StartCondition = {
      EventStartCondition: {
        SegmentId: app.audienceId,
        EventFilter: { FilterType: "BROADCAST" as "ENDPOINT", Dimensions: { EventType: { Values: ["launch"] } } },
      },
    };
    const created = await t.client.send(
      new CreateJourneyCommand({ ApplicationId: app.appId, WriteJourneyRequest: request }),
    );
    expect(created.JourneyResponse?.StartCondition?.EventStartCondition?.EventFilter?.FilterType).toBe("BROADCAST");
  });

  it("refuses a schedule start that is not a date, which the SDK could not even send", async () => {
    const response = await signedFetch(
      t.url,
      "POST",
      `/v1/apps/${app.appId}/journeys`,
      JSON.stringify({ Name: "Raw", Schedule: { StartTime: "tomorrow morning" } }),
    );
    expect(response.status).toBe(400);
    expect(response.json.Message).toMatch(/Schedule.StartTime must be an ISO 8601 date and time/);
  });

  it("saves an incomplete draft, and refuses to publish it with a 400 that says what is missing", async () => {
    const draft = await t.client.send(
      new CreateJourneyCommand({
        ApplicationId: app.appId,
        WriteJourneyRequest: { Name: "Unfinished", Activities: { hello: { EMAIL: {} } } },
      }),
    );
    const journeyId = draft.JourneyResponse?.Id ?? "";
    expect(draft.JourneyResponse?.State).toBe("DRAFT");
    const publish = t.client.send(
      new UpdateJourneyStateCommand({
        ApplicationId: app.appId,
        JourneyId: journeyId,
        JourneyStateRequest: { State: "ACTIVE" },
      }),
    );
    await expect(publish).rejects.toThrow(/StartCondition is required to publish a journey/);
    const update = t.client.send(
      new UpdateJourneyCommand({
        ApplicationId: app.appId,
        JourneyId: journeyId,
        WriteJourneyRequest: {
          Name: "Unfinished",
          State: "ACTIVE",
          StartCondition: { SegmentStartCondition: { SegmentId: app.audienceId } },
          StartActivity: "hello",
        },
      }),
    );
    await expect(update).rejects.toThrow(/Activity 'hello': a message activity needs a TemplateName/);
    const after = await t.client.send(new GetJourneyCommand({ ApplicationId: app.appId, JourneyId: journeyId }));
    expect(after.JourneyResponse).toMatchObject({ State: "DRAFT", Activities: { hello: { EMAIL: {} } } });
    expect(after.JourneyResponse?.StartActivity).toBeUndefined();
    expect(after.JourneyResponse?.LastModifiedDate).toBe(draft.JourneyResponse?.LastModifiedDate);
  });

  it("checks an update of a draft too, and a refused update leaves the draft as it was", async () => {
    const draft = await t.client.send(
      new CreateJourneyCommand({ ApplicationId: app.appId, WriteJourneyRequest: featureLaunch(app) }),
    );
    const journeyId = draft.JourneyResponse?.Id ?? "";
    const request = featureLaunch(app);
    activities(request).announce = { EMAIL: { TemplateName: "Launch", NextActivity: "missing" } };
    request.Name = "Renamed";
    const attempt = t.client.send(
      new UpdateJourneyCommand({ ApplicationId: app.appId, JourneyId: journeyId, WriteJourneyRequest: request }),
    );
    await expect(attempt).rejects.toThrow(/Activity 'announce': NextActivity 'missing'/);
    const after = await t.client.send(new GetJourneyCommand({ ApplicationId: app.appId, JourneyId: journeyId }));
    expect(after.JourneyResponse).toEqual(draft.JourneyResponse);
  });
});
