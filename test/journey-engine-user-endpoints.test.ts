import { CreateEmailTemplateCommand, CreateSmsTemplateCommand, type EndpointBatchItem } from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordDeliveryReceipt } from "../src/channels/sms/receipts.js";
import { ManualClock } from "../src/clock.js";
import { optOut } from "../src/messages/opt-outs.js";
import { fromJson } from "../src/store/index.js";
import {
  broadcastJourney,
  emailActivity,
  enteredByTests,
  featureRelease,
  messageEventSplit,
} from "./support/journey-definitions.js";
import {
  attributeSegment,
  createApp,
  dayMs,
  engineStart,
  enter,
  journeyMessages,
  metrics,
  participants,
  publishJourney,
  putEndpoints,
  sandboxCopies,
  settle,
} from "./support/journeys.js";
import { pollUntil } from "./support/poll.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

/** One person: an email endpoint and an SMS endpoint under one user. */
function person(id: string, phone: string, extra: Partial<EndpointBatchItem> = {}): EndpointBatchItem[] {
  return [
    { Id: `email-${id}`, ChannelType: "EMAIL", Address: `${id}@example.com`, User: { UserId: id } },
    { Id: `sms-${id}`, ChannelType: "SMS", Address: phone, User: { UserId: id }, ...extra },
  ];
}

describe.each(databases)("a message activity on another channel than the participant's endpoint on %s", (kind) => {
  let t: TestServer;
  const clock = new ManualClock(engineStart);
  const templates = { sms: "", email: "" };

  beforeAll(async () => {
    t = await startTestServer(kind, {}, { clock });
    const suffix = `${kind}-${Date.now()}`;
    templates.sms = `nudge-${suffix}`;
    templates.email = `release-${suffix}`;
    await t.client.send(
      new CreateSmsTemplateCommand({
        TemplateName: templates.sms,
        SMSTemplateRequest: { Body: "{{Attributes.Device}} at {{Address}}: try {{Event.Attributes.feature}}" },
      }),
    );
    await t.client.send(
      new CreateEmailTemplateCommand({
        TemplateName: templates.email,
        EmailTemplateRequest: { Subject: "New: {{Event.Attributes.feature}}", TextPart: "Hello {{Address}}" },
      }),
    );
  });
  afterAll(() => t.close());

  const smsJourney = (next?: string) =>
    enteredByTests({
      StartActivity: "text",
      Activities: {
        text: { SMS: { TemplateName: templates.sms, NextActivity: next } },
        ...(next ? { [next]: { Wait: { WaitTime: { WaitFor: "P7D" } } } } : {}),
      },
    });

  it("a person entered by email gets the SMS on their user's newest active SMS endpoint, rendered with it", async () => {
    const appId = await createApp(t, "User endpoints");
    await putEndpoints(t, appId, [
      {
        Id: "email-ann",
        ChannelType: "EMAIL",
        Address: "ann@example.com",
        User: { UserId: "ann" },
        Attributes: { Device: ["laptop"] },
      },
      // The newest by instant, though "+02:00" below sorts after it as text.
      {
        Id: "sms-ann-new",
        ChannelType: "SMS",
        Address: "+14155550301",
        User: { UserId: "ann" },
        EffectiveDate: "2026-05-31T23:00:00Z",
        Attributes: { Device: ["new phone"] },
      },
      {
        Id: "sms-ann-old",
        ChannelType: "SMS",
        Address: "+14155550302",
        User: { UserId: "ann" },
        EffectiveDate: "2026-06-01T00:00:00+02:00",
        Attributes: { Device: ["old phone"] },
      },
      {
        Id: "sms-ann-off",
        ChannelType: "SMS",
        Address: "+14155550303",
        User: { UserId: "ann" },
        EndpointStatus: "INACTIVE",
        EffectiveDate: "2026-11-01T00:00:00Z",
        Attributes: { Device: ["lost phone"] },
      },
    ]);
    const journeyId = await publishJourney(t, appId, smsJourney("after"));
    await enter(t, appId, journeyId, ["email-ann"], { event: featureRelease });
    await settle(t);

    const sent = await journeyMessages(t, journeyId);
    expect(sent.map((m) => [m.activityId, m.endpointId, m.channel])).toEqual([["text", "sms-ann-new", "SMS"]]);
    expect(sent[0].content).toMatchObject({ kind: "sms", body: "new phone at +14155550301: try Dark mode" });
    const [ann] = await participants(t, journeyId);
    expect([ann.endpointId, ann.activityId, ann.messages.text]).toEqual(["email-ann", "after", sent[0].id]);

    const copies = await pollUntil(
      () => sandboxCopies(t, appId),
      (c) => c.length > 0,
      { what: "the SMS at the sandbox" },
    );
    expect(copies.map((c) => [c.channel, c.address, c.content.kind === "sms" && c.content.body])).toEqual([
      ["SMS", "+14155550301", "new phone at +14155550301: try Dark mode"],
    ]);
    await pollUntil(
      () => metrics(t, journeyId),
      (m) => m["text/SUCCESS"] === 1,
      { what: "the SMS counted" },
    );
    expect(await metrics(t, journeyId)).toEqual({
      "/ENDPOINT_PRODUCED": 1,
      "/ENDPOINT_ENTERED": 1,
      "text/ENDPOINT_ENTERED": 1,
      "text/SUCCESS": 1,
      "after/ENDPOINT_ENTERED": 1,
    });
  });

  it("the user's SMS endpoint's opt-outs hold: its own OptOut ALL and an opted-out number are OPT_OUT", async () => {
    const appId = await createApp(t, "User endpoints opt-out");
    await putEndpoints(t, appId, [
      ...person("quit", "+14155550311", { OptOut: "ALL" }),
      ...person("stop", "+14155550312"),
      ...person("stay", "+14155550313"),
    ]);
    await optOut(t.server.services.store.db, appId, "SMS", "+14155550312");
    const journeyId = await publishJourney(t, appId, smsJourney("after"));
    await enter(t, appId, journeyId, ["email-quit", "email-stop", "email-stay"], { event: featureRelease });
    await settle(t);
    expect((await journeyMessages(t, journeyId)).map((m) => m.endpointId)).toEqual(["sms-stay"]);
    const counted = await metrics(t, journeyId);
    expect(counted["text/OPT_OUT"]).toBe(2);
    expect(counted["after/ENDPOINT_ENTERED"]).toBe(3);
  });

  it("a split on the SMS's outcome reads the events recorded on the SMS endpoint it went to", async () => {
    const appId = await createApp(t, "User endpoints split");
    await putEndpoints(t, appId, [...person("bea", "+14155550321"), ...person("cal", "+14155550322")]);
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "text",
        Activities: {
          text: { SMS: { TemplateName: templates.sms, NextActivity: "delivered" } },
          delivered: messageEventSplit("text", "_SMS.SUCCESS", { wait: "P1D", yes: "reached", no: "unreached" }),
          reached: { Wait: { WaitTime: { WaitFor: "P7D" } } },
          unreached: { Wait: { WaitTime: { WaitFor: "P7D" } } },
        },
      }),
    );
    await enter(t, appId, journeyId, ["email-bea", "email-cal"], { event: featureRelease });
    await settle(t);
    const sent = await pollUntil(
      () => journeyMessages(t, journeyId),
      (messages) => messages.length === 2 && messages.every((m) => m.status === "SUCCESSFUL"),
      { what: "both SMS sent" },
    );
    const toBea = sent.find((m) => m.endpointId === "sms-bea");
    expect(toBea).toBeDefined();
    // The carrier's receipt for Bea's SMS (the sandbox answers with the message id as the provider's).
    const id = toBea?.id ?? "";
    expect(
      await recordDeliveryReceipt(t.server.services, {
        messageId: id,
        providerMessageId: id,
        recordStatus: "DELIVERED",
      }),
    ).toBe(true);
    const recorded = await t.server.services.store.db
      .selectFrom("events")
      .select(["endpoint_id", "body"])
      .where("app_id", "=", appId)
      .where("event_id", "=", `${id}:_SMS.SUCCESS`)
      .execute();
    expect(recorded.map((row) => [row.endpoint_id, fromJson<{ EventType: string }>(row.body).EventType])).toEqual([
      ["sms-bea", "_SMS.SUCCESS"],
    ]);

    clock.advance(dayMs);
    await settle(t);
    expect(Object.fromEntries((await participants(t, journeyId)).map((p) => [p.endpointId, p.activityId]))).toEqual({
      "email-bea": "reached",
      "email-cal": "unreached",
    });
    expect(await metrics(t, journeyId)).toMatchObject({ "delivered/Branch_1": 1, "delivered/Branch_2": 1 });
  });

  it("a segment holding both of a person's endpoints sends them one email and one SMS, not two of each", async () => {
    const appId = await createApp(t, "User endpoints both");
    await putEndpoints(t, appId, [...person("fay", "+14155550331"), ...person("gus", "+14155550332")]);
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "announce",
        Activities: {
          announce: emailActivity(templates.email, "text"),
          text: { SMS: { TemplateName: templates.sms } },
        },
      }),
    );
    // Fay's segment holds both her endpoints; Gus's holds only his email endpoint.
    await enter(t, appId, journeyId, ["email-fay", "sms-fay", "email-gus"], { event: featureRelease });
    await settle(t);

    const sent = await journeyMessages(t, journeyId);
    expect(sent.map((m) => [m.activityId, m.endpointId, m.channel]).sort()).toEqual([
      ["announce", "email-fay", "EMAIL"],
      ["announce", "email-gus", "EMAIL"],
      ["text", "sms-fay", "SMS"],
      ["text", "sms-gus", "SMS"],
    ]);
    const copies = await pollUntil(
      () => sandboxCopies(t, appId),
      (c) => c.length === 4,
      { what: "four messages at the sandbox" },
    );
    expect(copies.map((c) => [c.channel, c.address]).sort()).toEqual([
      ["EMAIL", "fay@example.com"],
      ["EMAIL", "gus@example.com"],
      ["SMS", "+14155550331"],
      ["SMS", "+14155550332"],
    ]);
    const counted = await metrics(t, journeyId);
    // Fay's SMS endpoint at the email, and her email endpoint at the SMS, go on without a message.
    expect([counted["announce/ENDPOINT_CHANNEL_MISMATCH"], counted["text/ENDPOINT_CHANNEL_MISMATCH"]]).toEqual([1, 1]);
    expect(counted["/ENDPOINT_LEFT"]).toBe(3);
  });

  it("while a segment run is still entering endpoints, a person's SMS endpoint it holds is not sent a second copy", async () => {
    const appId = await createApp(t, "User endpoints fan-out");
    const launch = { Attributes: { Cohort: ["launch"] } };
    const [emailHal, smsHal] = person("hal", "+14155550341");
    const [emailIvy, smsIvy] = person("ivy", "+14155550342");
    // The segment holds both of Hal's endpoints, and only Ivy's email endpoint.
    await putEndpoints(t, appId, [
      { ...emailHal, ...launch },
      { ...smsHal, ...launch },
      { ...emailIvy, ...launch },
      smsIvy,
    ]);
    const segmentId = await attributeSegment(t, appId, "launch", "Cohort");
    const journeyId = await publishJourney(
      t,
      appId,
      broadcastJourney(segmentId, ["feature_release"], {
        StartActivity: "text",
        Activities: { text: { SMS: { TemplateName: templates.sms } } },
      }),
    );
    // The broadcast's fan-out (in endpoint id order) has written its page with both email endpoints,
    // not yet the page with Hal's SMS endpoint.
    const { db } = t.server.services.store;
    await db
      .insertInto("journey_runs")
      .values({
        app_id: appId,
        journey_id: journeyId,
        run_id: "launch",
        status: "RUNNING",
        broadcast_id: "launch",
        segment_version: null,
        cursor: "email-ivy",
        fanout_done: 0,
        creation_ms: clock.now(),
        last_update_ms: clock.now(),
      })
      .execute();
    const broadcast = { id: "launch", event: featureRelease };
    await enter(t, appId, journeyId, ["email-hal", "email-ivy"], { broadcast });
    await settle(t);
    expect((await journeyMessages(t, journeyId)).map((m) => m.endpointId)).toEqual(["sms-ivy"]);
    expect((await metrics(t, journeyId))["text/ENDPOINT_CHANNEL_MISMATCH"]).toBe(1);

    // Its next page enters Hal's SMS endpoint, which is sent its own.
    await enter(t, appId, journeyId, ["sms-hal"], { broadcast });
    await settle(t);
    expect((await journeyMessages(t, journeyId)).map((m) => m.endpointId).sort()).toEqual(["sms-hal", "sms-ivy"]);
    const copies = await pollUntil(
      () => sandboxCopies(t, appId),
      (c) => c.length === 2,
      { what: "two SMS at the sandbox" },
    );
    expect(copies.map((c) => c.address).sort()).toEqual(["+14155550341", "+14155550342"]);
  });

  it("a broadcast holding two of a person's endpoints, neither on SMS, sends their SMS endpoint one SMS", async () => {
    const appId = await createApp(t, "User endpoints one copy");
    await putEndpoints(t, appId, [
      ...person("lea", "+14155550361"),
      { Id: "push-lea", ChannelType: "GCM", Address: "device-lea", User: { UserId: "lea" } },
    ]);
    const journeyId = await publishJourney(t, appId, smsJourney("later"));
    const broadcast = { id: "one-copy", event: featureRelease };
    await enter(t, appId, journeyId, ["email-lea", "push-lea"], { broadcast, key: "broadcast:one-copy" });
    await settle(t);

    const sent = await journeyMessages(t, journeyId);
    expect(sent.map((m) => [m.activityId, m.endpointId, m.channel])).toEqual([["text", "sms-lea", "SMS"]]);
    const copies = await pollUntil(
      () => sandboxCopies(t, appId),
      (c) => c.length >= 1,
      { what: "the SMS at the sandbox" },
    );
    expect(copies.map((c) => c.address)).toEqual(["+14155550361"]);
    // Both participants know that one message, so a split on its outcome decides alike for both.
    const rows = await participants(t, journeyId);
    expect(rows.map((row) => row.messages.text)).toEqual([sent[0].id, sent[0].id]);
  });

  it("a participant whose user has no active SMS endpoint with an address, or who has no user, is ENDPOINT_CHANNEL_MISMATCH", async () => {
    const appId = await createApp(t, "User endpoints none");
    await putEndpoints(t, appId, [
      { Id: "email-jon", ChannelType: "EMAIL", Address: "jon@example.com", User: { UserId: "jon" } },
      {
        Id: "sms-jon",
        ChannelType: "SMS",
        Address: "+14155550351",
        User: { UserId: "jon" },
        EndpointStatus: "INACTIVE",
      },
      { Id: "push-jon", ChannelType: "GCM", Address: "device-jon", User: { UserId: "jon" } },
      { Id: "email-kim", ChannelType: "EMAIL", Address: "kim@example.com" },
      { Id: "sms-kim", ChannelType: "SMS", Address: "+14155550352" },
    ]);
    const journeyId = await publishJourney(t, appId, smsJourney());
    await enter(t, appId, journeyId, ["email-jon", "email-kim"], { event: featureRelease });
    await settle(t);
    expect(await journeyMessages(t, journeyId)).toEqual([]);
    const counted = await metrics(t, journeyId);
    expect(counted["text/ENDPOINT_CHANNEL_MISMATCH"]).toBe(2);
    expect(counted["/ENDPOINT_LEFT"]).toBe(2);
  });
});
