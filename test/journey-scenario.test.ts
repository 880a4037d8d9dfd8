/**
 * The scenario end to end, as a product team would run it: 1,000 people with an email
 * and a phone, a feature_release broadcast into a journey defined with @aws-sdk/client-pinpoint
 * (email naming the feature → wait a day → opened it? → power user? → SMS), a real SMTP server
 * receiving the emails, opens through each email's own tracking pixel, an SMS provider on this
 * machine receiving the SMS, and Pinpoint's execution metrics read back. Then an event-started
 * journey with a wait. Time moves by a manual clock; nothing sleeps through a wait.
 */
import {
  CreateEmailTemplateCommand,
  CreateJourneyCommand,
  CreateSegmentCommand,
  CreateSmsTemplateCommand,
  type EndpointBatchItem,
  PutEventsCommand,
  type WriteJourneyRequest,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.js";
import { messageEventSplit } from "./support/journey-definitions.js";
import {
  createApp,
  dayMs,
  executionMetrics,
  journeyMessages,
  minuteMs,
  openEmail,
  participants,
  planSegment,
  putEndpoints,
  settle,
} from "./support/journeys.js";
import { pollUntil } from "./support/poll.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";
import { signedFetch } from "./support/signed-fetch.js";
import { type SmtpSink, startSmtpSink } from "./support/smtp-sink.js";
import { startTwilioApi, type TwilioApi } from "./support/twilio-api.js";

const publicUrl = "https://waymark.example.test";
const start = Date.parse("2026-11-23T09:00:00Z");
const ourNumber = "+15550009999";

/** Person i of the 1,000: who opens the email (300 of them), who is a power user (250). */
const people = Array.from({ length: 1000 }, (_, i) => {
  const id = `p${String(i).padStart(4, "0")}`;
  return {
    id,
    email: `${id}@users.example`,
    phone: `+1555${String(1_000_000 + i).slice(1)}`,
    opens: i % 10 < 3,
    power: i % 4 === 0,
  };
});
type Person = (typeof people)[number];

/** Both of a person's endpoints belong to one user; the power-user mark is an attribute on each. */
function endpointsOf(person: Person): EndpointBatchItem[] {
  const shared = {
    User: { UserId: person.id },
    Attributes: { Plan: [person.power ? "power" : "basic"] },
  };
  return [
    { Id: `email-${person.id}`, ChannelType: "EMAIL", Address: person.email, ...shared },
    { Id: `sms-${person.id}`, ChannelType: "SMS", Address: person.phone, ...shared },
  ];
}

describe.each(databases)("the feature release journey on %s", (kind) => {
  let t: TestServer;
  let sink: SmtpSink;
  let twilio: TwilioApi;
  let appId: string;
  let journeyId: string;
  const clock = new ManualClock(start);

  const journeyMetrics = () => executionMetrics(t, appId, journeyId);
  const activityMetrics = (activityId: string) => executionMetrics(t, appId, journeyId, activityId);

  /** Every message of the journey has reached its provider (the outbox holds none still to send). */
  const delivered = async () => {
    const open = (await journeyMessages(t, journeyId)).filter((m) => m.status === "QUEUED" || m.status === "SENDING");
    return open.length === 0;
  };

  beforeAll(async () => {
    sink = await startSmtpSink();
    twilio = await startTwilioApi();
    t = await startTestServer(
      kind,
      { publicUrl, providers: { email: { type: "smtp", url: sink.url, maxConnections: 4 }, sms: twilio.provider } },
      { clock },
    );
    appId = await createApp(t, "Feature releases");
    await putEndpoints(t, appId, people.flatMap(endpointsOf));
    const everyoneByEmail =
      (
        await t.client.send(
          new CreateSegmentCommand({
            ApplicationId: appId,
            WriteSegmentRequest: {
              Name: "Everyone, by email",
              Dimensions: { Demographic: { Channel: { DimensionType: "INCLUSIVE", Values: ["EMAIL"] } } },
            },
          }),
        )
      ).SegmentResponse?.Id ?? "";
    const powerUsers = await planSegment(t, appId, "power");
    await t.client.send(
      new CreateEmailTemplateCommand({
        TemplateName: "FeatureRelease",
        EmailTemplateRequest: {
          Subject: "New: {{Event.Attributes.feature}}",
          HtmlPart: "<html><body><p>{{Event.Attributes.feature}} is here. Turn it on in Settings.</p></body></html>",
          TextPart: "{{Event.Attributes.feature}} is here. Turn it on in Settings.",
        },
      }),
    );
    await t.client.send(
      new CreateSmsTemplateCommand({
        TemplateName: "ReleaseNudge",
        SMSTemplateRequest: { Body: "Have you tried {{Event.Attributes.feature}}? It is in Settings." },
      }),
    );
    await t.client.send(
      new CreateSmsTemplateCommand({
        TemplateName: "ReleaseNudgePower",
        SMSTemplateRequest: { Body: "Power tip: {{Event.Attributes.feature}} has a keyboard shortcut." },
      }),
    );
    const sms = (TemplateName: string) => ({
      SMS: { TemplateName, MessageConfig: { MessageType: "PROMOTIONAL" as const, OriginationNumber: ourNumber } },
    });
    const definition: WriteJourneyRequest = {
      Name: "Feature release",
      State: "ACTIVE",
      StartCondition: {
        EventStartCondition: {
          // Waymark's broadcast trigger; the SDK's type only knows Pinpoint's filter types.
          EventFilter: {
            FilterType: "BROADCAST" as "ENDPOINT",
            Dimensions: { EventType: { DimensionType: "INCLUSIVE", Values: ["feature_release"] } },
          },
          SegmentId: everyoneByEmail,
        },
      },
      StartActivity: "announce",
      Activities: {
        announce: {
          EMAIL: {
            TemplateName: "FeatureRelease",
            MessageConfig: { FromAddress: "news@waymark.example" },
            NextActivity: "wait",
          },
        },
        wait: { Wait: { WaitTime: { WaitFor: "P1D" }, NextActivity: "opened" } },
        opened: messageEventSplit("announce", "_email.open", { no: "power" }),
        power: {
          ConditionalSplit: {
            Condition: { Conditions: [{ SegmentCondition: { SegmentId: powerUsers } }] },
            TrueActivity: "nudgePower",
            FalseActivity: "nudge",
          },
        },
        nudgePower: sms("ReleaseNudgePower"),
        nudge: sms("ReleaseNudge"),
      },
    };
    const created = await t.client.send(
      new CreateJourneyCommand({ ApplicationId: appId, WriteJourneyRequest: definition }),
    );
    journeyId = created.JourneyResponse?.Id ?? "";
    expect(created.JourneyResponse?.State).toBe("ACTIVE");
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await sink?.close();
    await twilio?.close();
  });

  it("one feature_release broadcast enters every endpoint of the segment, once", async () => {
    const body = JSON.stringify({
      Id: "dark-mode",
      EventType: "feature_release",
      Attributes: { feature: "Dark mode" },
    });
    const sent = await signedFetch(t.url, "POST", `/v1/apps/${appId}/broadcasts`, body);
    expect(sent.status).toBe(202);
    expect(sent.json).toMatchObject({ Id: "dark-mode", EventType: "feature_release" });

    const progress = await pollUntil(
      async () => (await signedFetch(t.url, "GET", `/v1/apps/${appId}/broadcasts/dark-mode`)).json,
      (broadcast) => broadcast.State === "DONE",
      { what: "the broadcast to finish", timeoutMs: 60_000 },
    );
    expect(progress).toMatchObject({
      State: "DONE",
      EndpointsEntered: 1000,
      SegmentSize: 1000,
      Journeys: [{ JourneyId: journeyId, EndpointsEntered: 1000, SegmentSize: 1000, State: "DONE" }],
    });
    // Sent again (a retry), it enters nobody twice.
    expect((await signedFetch(t.url, "POST", `/v1/apps/${appId}/broadcasts`, body)).status).toBe(202);
    await pollUntil(journeyMetrics, (m) => m.ENDPOINT_ENTERED === 1000, { what: "1,000 entries", timeoutMs: 60_000 });
    expect(await journeyMetrics()).toMatchObject({ ENDPOINT_ENTERED: 1000, ENDPOINT_ACTIVE: 1000 });
  }, 120_000);

  it("each of the 1,000 gets exactly one email at the SMTP server, naming the feature", async () => {
    await pollUntil(
      () => sink.received.length,
      (n) => n >= 1000,
      { what: "1,000 emails", timeoutMs: 90_000 },
    );
    await pollUntil(delivered, Boolean, { what: "the outbox to empty", timeoutMs: 30_000 });
    const mails = sink.byRecipient();
    expect(sink.received).toHaveLength(1000);
    expect([...mails.keys()].sort()).toEqual(people.map((p) => p.email).sort());
    for (const person of people) {
      const [mail] = mails.get(person.email) ?? [];
      expect(mail.subject).toBe("New: Dark mode");
      expect(mail.html).toContain("Dark mode is here.");
      expect(mail.text).toContain("Dark mode is here.");
    }
    await pollUntil(
      () => activityMetrics("announce"),
      (m) => m.SUCCESS === 1000,
      { what: "1,000 email successes", timeoutMs: 30_000 },
    );
    expect(twilio.messages).toEqual([]);
  }, 150_000);

  it("opens come through each email's tracking pixel, and the split on them waits for the day to pass", async () => {
    const mails = sink.byRecipient();
    const openers = people.filter((p) => p.opens);
    for (let i = 0; i < openers.length; i += 20) {
      await Promise.all(
        openers.slice(i, i + 20).map(async (person) => {
          const [mail] = mails.get(person.email) ?? [];
          // The link names the public address; the test reaches the same Waymark at its own.
          expect((await openEmail(t, mail.html)).startsWith(`${publicUrl}/t/o/`)).toBe(true);
        }),
      );
    }

    // A minute short of the day, nobody has moved on.
    clock.advance(dayMs - minuteMs);
    await settle(t);
    expect((await activityMetrics("opened")).ENDPOINT_ENTERED ?? 0).toBe(0);

    clock.advance(2 * minuteMs);
    t.server.services.wake.journeys();
    const split = await pollUntil(
      () => activityMetrics("opened"),
      (m) => (m.Branch_1 ?? 0) + (m.Branch_2 ?? 0) === 1000,
      { what: "everyone through the open split", timeoutMs: 60_000 },
    );
    expect(split).toEqual({ ENDPOINT_ENTERED: 1000, Branch_1: 300, Branch_2: 700 });
  }, 120_000);

  it("the power-users split follows the segment", async () => {
    const powerNonOpeners = people.filter((p) => !p.opens && p.power).length;
    const split = await pollUntil(
      () => activityMetrics("power"),
      (m) => (m.Branch_1 ?? 0) + (m.Branch_2 ?? 0) === 700,
      { what: "the non-openers through the power-users split", timeoutMs: 30_000 },
    );
    expect(split).toEqual({ ENDPOINT_ENTERED: 700, Branch_1: powerNonOpeners, Branch_2: 700 - powerNonOpeners });

    // Person by person: where each one's path ended.
    await pollUntil(journeyMetrics, (m) => m.ENDPOINT_LEFT === 1000, { what: "everyone to leave", timeoutMs: 30_000 });
    const lastActivity = new Map((await participants(t, journeyId)).map((p) => [p.endpointId, p.activityId]));
    const expected = (person: Person) => (person.opens ? "opened" : person.power ? "nudgePower" : "nudge");
    expect(people.filter((person) => lastActivity.get(`email-${person.id}`) !== expected(person))).toEqual([]);
    expect(lastActivity.size).toBe(1000);
  });

  it("an SMS reaches exactly the people who did not open, on their phone, and never those who did", async () => {
    const nonOpeners = people.filter((p) => !p.opens);
    await pollUntil(journeyMetrics, (m) => m.ENDPOINT_LEFT === 1000, { what: "everyone to leave", timeoutMs: 30_000 });
    // Each participant is an EMAIL endpoint: its SMS goes to the same user's SMS endpoint.
    expect((await activityMetrics("nudge")).ENDPOINT_CHANNEL_MISMATCH ?? 0).toBe(0);
    expect((await activityMetrics("nudgePower")).ENDPOINT_CHANNEL_MISMATCH ?? 0).toBe(0);
    await pollUntil(
      () => twilio.messages.length,
      (n) => n >= nonOpeners.length,
      { what: `${nonOpeners.length} SMS at the provider`, timeoutMs: 60_000 },
    );
    await pollUntil(delivered, Boolean, { what: "the outbox to empty", timeoutMs: 30_000 });
    expect(twilio.messages).toHaveLength(nonOpeners.length);
    const byNumber = new Map(twilio.messages.map((m) => [m.to, m]));
    expect([...byNumber.keys()].sort()).toEqual(nonOpeners.map((p) => p.phone).sort());
    for (const person of nonOpeners) {
      expect(byNumber.get(person.phone)).toEqual({
        to: person.phone,
        from: ourNumber,
        body: person.power
          ? "Power tip: Dark mode has a keyboard shortcut."
          : "Have you tried Dark mode? It is in Settings.",
      });
    }
  }, 120_000);

  it("the execution metrics count it all with Pinpoint's keys", async () => {
    const powerNonOpeners = people.filter((p) => !p.opens && p.power).length;
    await pollUntil(journeyMetrics, (m) => m.ENDPOINT_LEFT === 1000, { what: "everyone to leave", timeoutMs: 30_000 });
    expect(await journeyMetrics()).toMatchObject({
      ENDPOINT_PRODUCED: 1000,
      ENDPOINT_ENTERED: 1000,
      ENDPOINT_LEFT: 1000,
      ENDPOINT_ACTIVE: 0,
    });
    expect(await activityMetrics("announce")).toEqual({ ENDPOINT_ENTERED: 1000, SUCCESS: 1000 });
    expect(await activityMetrics("wait")).toEqual({ ENDPOINT_ENTERED: 1000 });
    expect(await activityMetrics("opened")).toEqual({ ENDPOINT_ENTERED: 1000, Branch_1: 300, Branch_2: 700 });
    expect(await activityMetrics("power")).toEqual({
      ENDPOINT_ENTERED: 700,
      Branch_1: powerNonOpeners,
      Branch_2: 700 - powerNonOpeners,
    });
    // SMS successes are counted as the provider's answers are recorded.
    await pollUntil(
      async () =>
        ((await activityMetrics("nudge")).SUCCESS ?? 0) + ((await activityMetrics("nudgePower")).SUCCESS ?? 0),
      (n) => n === 700,
      { what: "700 SMS successes", timeoutMs: 30_000 },
    );
    expect(await activityMetrics("nudgePower")).toEqual({
      ENDPOINT_ENTERED: powerNonOpeners,
      SUCCESS: powerNonOpeners,
    });
    expect(await activityMetrics("nudge")).toEqual({
      ENDPOINT_ENTERED: 700 - powerNonOpeners,
      SUCCESS: 700 - powerNonOpeners,
    });
    // Nothing was sent twice: one email per person, one SMS per non-opener.
    expect(sink.received).toHaveLength(1000);
    expect(twilio.messages).toHaveLength(700);
  }, 60_000);
});

describe.each(databases)("an event-started journey with a wait on %s", (kind) => {
  let t: TestServer;
  let sink: SmtpSink;
  let appId: string;
  let journeyId: string;
  const clock = new ManualClock(start);

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestServer(
      kind,
      { providers: { email: { type: "smtp", url: sink.url, maxConnections: 2 } } },
      { clock },
    );
    appId = await createApp(t, "Sign-ups");
    await t.client.send(
      new CreateEmailTemplateCommand({
        TemplateName: "Welcome",
        EmailTemplateRequest: {
          Subject: "Welcome to the {{Event.Attributes.plan}} plan",
          TextPart: "You have {{Event.Metrics.seats}} seats on the {{Event.Attributes.plan}} plan.",
        },
      }),
    );
    const created = await t.client.send(
      new CreateJourneyCommand({
        ApplicationId: appId,
        WriteJourneyRequest: {
          Name: "Welcome",
          State: "ACTIVE",
          StartCondition: {
            EventStartCondition: {
              EventFilter: {
                FilterType: "ENDPOINT",
                Dimensions: {
                  EventType: { DimensionType: "INCLUSIVE", Values: ["signed_up"] },
                  Attributes: { plan: { AttributeType: "INCLUSIVE", Values: ["pro", "team"] } },
                },
              },
            },
          },
          StartActivity: "settleIn",
          Activities: {
            settleIn: { Wait: { WaitTime: { WaitFor: "PT1H" }, NextActivity: "welcome" } },
            welcome: { EMAIL: { TemplateName: "Welcome", MessageConfig: { FromAddress: "hello@waymark.example" } } },
          },
        },
      }),
    );
    journeyId = created.JourneyResponse?.Id ?? "";
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  const putEvent = (endpointId: string, eventId: string, EventType: string, plan: string, seats: number) =>
    t.client.send(
      new PutEventsCommand({
        ApplicationId: appId,
        EventsRequest: {
          BatchItem: {
            [endpointId]: {
              Endpoint: { ChannelType: "EMAIL", Address: `${endpointId}@example.com` },
              Events: {
                [eventId]: {
                  EventType,
                  Timestamp: new Date(clock.now()).toISOString(),
                  Attributes: { plan },
                  Metrics: { seats },
                },
              },
            },
          },
        },
      }),
    );

  it("a matching event enters its endpoint, which is emailed with the event's attributes when the hour is up", async () => {
    await putEvent("ann", "ann-signup", "signed_up", "pro", 5);
    await putEvent("bob", "bob-signup", "signed_up", "team", 20);
    await putEvent("cat", "cat-signup", "signed_up", "free", 1); // filtered out by the attribute
    await putEvent("dan", "dan-view", "page_view", "pro", 1); // another event type
    await putEvent("ann", "ann-signup", "signed_up", "pro", 5); // the same event again: no second entry
    await settle(t);
    expect(await executionMetrics(t, appId, journeyId)).toMatchObject({
      ENDPOINT_ENTERED: 2,
      ENDPOINT_ACTIVE: 2,
    });

    clock.advance(59 * minuteMs);
    await settle(t);
    expect(await journeyMessages(t, journeyId)).toEqual([]);

    clock.advance(2 * minuteMs);
    await settle(t);
    await pollUntil(
      () => sink.received.length,
      (n) => n >= 2,
      { what: "two welcome emails", timeoutMs: 30_000 },
    );
    const mails = sink.byRecipient();
    expect([...mails.keys()].sort()).toEqual(["ann@example.com", "bob@example.com"]);
    expect(mails.get("ann@example.com")?.map((m) => [m.subject, m.text.trim()])).toEqual([
      ["Welcome to the pro plan", "You have 5 seats on the pro plan."],
    ]);
    expect(mails.get("bob@example.com")?.map((m) => [m.subject, m.text.trim()])).toEqual([
      ["Welcome to the team plan", "You have 20 seats on the team plan."],
    ]);
    const left = await pollUntil(
      () => executionMetrics(t, appId, journeyId),
      (m) => m.ENDPOINT_LEFT === 2,
      { what: "both to leave", timeoutMs: 10_000 },
    );
    expect(left).toMatchObject({ ENDPOINT_ENTERED: 2, ENDPOINT_LEFT: 2, ENDPOINT_ACTIVE: 0 });
  }, 60_000);
});
