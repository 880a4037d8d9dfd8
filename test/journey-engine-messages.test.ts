import {
  CreateEmailTemplateCommand,
  CreatePushTemplateCommand,
  CreateSmsTemplateCommand,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.js";
import { optOut } from "../src/messages/opt-outs.js";
import { emailActivity, enteredByTests, featureRelease } from "./support/journey-definitions.js";
import {
  createApp,
  dayMs,
  engineStart,
  enter,
  journeyMessages,
  metrics,
  participants,
  publishJourney,
  putEndpoints,
  settle,
} from "./support/journeys.js";
import { pollUntil } from "./support/poll.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

describe.each(databases)("journey message activities on %s", (kind) => {
  let t: TestServer;
  let appId: string;
  const clock = new ManualClock(engineStart);

  beforeAll(async () => {
    t = await startTestServer(kind, {}, { clock });
    appId = await createApp(t, "Engine messages");
    const suffix = `${kind}-${Date.now()}`;
    await t.client.send(
      new CreateEmailTemplateCommand({
        TemplateName: `release-${suffix}`,
        EmailTemplateRequest: {
          Subject: "New: {{Event.Attributes.feature}}",
          HtmlPart:
            '<p>Hello {{User.UserAttributes.FirstName}}, meet <a href="https://example.com/f">{{Event.Attributes.feature}}</a>.</p>',
          TextPart: "Hello {{User.UserAttributes.FirstName}}",
        },
      }),
    );
    await t.client.send(
      new CreateSmsTemplateCommand({
        TemplateName: `nudge-${suffix}`,
        SMSTemplateRequest: { Body: "Try {{Event.Attributes.feature}}" },
      }),
    );
    await t.client.send(
      new CreatePushTemplateCommand({
        TemplateName: `push-${suffix}`,
        PushNotificationTemplateRequest: { Default: { Title: "New", Body: "Look at {{Event.Attributes.feature}}" } },
      }),
    );
    templates.email = `release-${suffix}`;
    templates.sms = `nudge-${suffix}`;
    templates.push = `push-${suffix}`;
  });
  afterAll(() => t.close());

  const templates = { email: "", sms: "", push: "" };

  it("an email activity renders its template with the endpoint and the broadcast's event, one message each", async () => {
    await putEndpoints(t, appId, [
      { Id: "ann", ChannelType: "EMAIL", Address: "ann@example.com", User: { UserAttributes: { FirstName: ["Ann"] } } },
      { Id: "bob", ChannelType: "EMAIL", Address: "bob@example.com", User: { UserAttributes: { FirstName: ["Bob"] } } },
    ]);
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "announce",
        Activities: {
          announce: emailActivity(templates.email, "pause"),
          pause: { Wait: { WaitTime: { WaitFor: "P1D" } } },
        },
      }),
    );
    await enter(t, appId, journeyId, ["ann", "bob"], { broadcast: { id: `launch-${kind}`, event: featureRelease } });
    await settle(t);

    const sent = await journeyMessages(t, journeyId);
    expect(sent.map((m) => m.endpointId).sort()).toEqual(["ann", "bob"]);
    const ann = sent.find((m) => m.endpointId === "ann")?.content;
    expect(ann).toMatchObject({ kind: "email", subject: "New: Dark mode", fromAddress: "news@example.com" });
    // Tracked like every email: the link goes through a click redirect, and an open pixel is added.
    expect(ann?.kind === "email" && ann.htmlBody).toMatch(
      /Hello Ann, meet <a href="http[^"]+\/t\/c\/[^"]+">Dark mode<\/a>/,
    );
    expect(ann?.kind === "email" && ann.htmlBody).toContain("/t/o/");

    const rows = await participants(t, journeyId);
    expect(rows.map((p) => [p.status, p.activityId, p.wakeMs])).toEqual([
      ["ACTIVE", "pause", engineStart + dayMs],
      ["ACTIVE", "pause", engineStart + dayMs],
    ]);
    expect(rows.map((p) => p.messages.announce).sort()).toEqual(sent.map((m) => m.id).sort());

    await pollUntil(
      () => metrics(t, journeyId),
      (m) => m["announce/SUCCESS"] === 2,
      { what: "both emails sent" },
    );
    expect(await metrics(t, journeyId)).toEqual({
      "/ENDPOINT_PRODUCED": 2,
      "/ENDPOINT_ENTERED": 2,
      "announce/ENDPOINT_ENTERED": 2,
      "announce/SUCCESS": 2,
      "pause/ENDPOINT_ENTERED": 2,
    });
  });

  it("SMS, push and custom activities send on their own channels; other channels are ENDPOINT_CHANNEL_MISMATCH", async () => {
    await putEndpoints(t, appId, [
      { Id: "sms-1", ChannelType: "SMS", Address: "+14155550101" },
      { Id: "push-1", ChannelType: "GCM", Address: "device-token-1" },
      { Id: "mail-1", ChannelType: "EMAIL", Address: "mail-1@example.com" },
    ]);
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "text",
        Activities: {
          text: {
            SMS: { TemplateName: templates.sms, MessageConfig: { MessageType: "PROMOTIONAL" }, NextActivity: "push" },
          },
          push: { PUSH: { TemplateName: templates.push, NextActivity: "hook" } },
          hook: {
            CUSTOM: {
              DeliveryUri: "http://127.0.0.1:9/journey",
              EndpointTypes: ["SMS"],
              MessageConfig: { Data: "custom-data" },
            },
          },
        },
      }),
    );
    await enter(t, appId, journeyId, ["sms-1", "push-1", "mail-1"], { event: featureRelease });
    await settle(t);

    const sent = await journeyMessages(t, journeyId);
    expect(sent.map((m) => [m.activityId, m.endpointId, m.channel]).sort()).toEqual([
      ["hook", "sms-1", "CUSTOM"],
      ["push", "push-1", "GCM"],
      ["text", "sms-1", "SMS"],
    ]);
    expect(sent.find((m) => m.activityId === "text")?.content).toMatchObject({
      kind: "sms",
      body: "Try Dark mode",
      messageType: "PROMOTIONAL",
    });
    expect(sent.find((m) => m.activityId === "push")?.content).toMatchObject({
      kind: "push",
      body: "Look at Dark mode",
    });
    expect(sent.find((m) => m.activityId === "hook")?.content).toEqual({
      kind: "custom",
      deliveryUri: "http://127.0.0.1:9/journey",
      data: "custom-data",
    });
    const counted = await metrics(t, journeyId);
    expect(counted["text/ENDPOINT_CHANNEL_MISMATCH"]).toBe(2);
    expect(counted["push/ENDPOINT_CHANNEL_MISMATCH"]).toBe(2);
    expect(counted["hook/ENDPOINT_CHANNEL_MISMATCH"]).toBe(2);
    expect(counted["/ENDPOINT_LEFT"]).toBe(3);
    expect((await participants(t, journeyId)).every((p) => p.status === "LEFT" && p.wakeMs === null)).toBe(true);
  });

  it("an address that opted out is skipped with OPT_OUT and goes on", async () => {
    await putEndpoints(t, appId, [
      { Id: "quit", ChannelType: "EMAIL", Address: "Quit@example.com" },
      { Id: "stay", ChannelType: "EMAIL", Address: "stay@example.com" },
    ]);
    await optOut(t.server.services.store.db, appId, "EMAIL", "quit@example.com");
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "announce",
        Activities: {
          announce: emailActivity(templates.email, "end"),
          end: { Wait: { WaitTime: { WaitFor: "PT1M" } } },
        },
      }),
    );
    await enter(t, appId, journeyId, ["quit", "stay"], { event: featureRelease });
    await settle(t);
    expect((await journeyMessages(t, journeyId)).map((m) => m.endpointId)).toEqual(["stay"]);
    const counted = await metrics(t, journeyId);
    expect(counted["announce/OPT_OUT"]).toBe(1);
    expect(counted["end/ENDPOINT_ENTERED"]).toBe(2);
  });

  it("DailyCap and TotalCap skip the messages past them", async () => {
    await putEndpoints(t, appId, [{ Id: "capped", ChannelType: "SMS", Address: "+14155550102" }]);
    const sms = (next?: string) => ({ SMS: { TemplateName: templates.sms, NextActivity: next } });
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "one",
        Limits: { DailyCap: 2, TotalCap: 3 },
        Activities: {
          one: sms("two"),
          two: sms("three"),
          three: sms("sleep"),
          sleep: { Wait: { WaitTime: { WaitFor: "P1D" }, NextActivity: "four" } },
          four: sms("five"),
          five: sms(),
        },
      }),
    );
    await enter(t, appId, journeyId, ["capped"], { event: featureRelease });
    await settle(t);
    expect((await journeyMessages(t, journeyId)).map((m) => m.activityId)).toEqual(["one", "two"]);
    clock.advance(dayMs);
    await settle(t);
    // A new day allows two more, but the total allows only one.
    expect((await journeyMessages(t, journeyId)).map((m) => m.activityId)).toEqual(["one", "two", "four"]);
    const counted = await metrics(t, journeyId);
    expect(counted["three/DAILY_CAP"]).toBe(1);
    expect(counted["five/TOTAL_CAP"]).toBe(1);
  });

  it("TimeframeCap counts what the endpoint's earlier entries were sent within its days", async () => {
    await putEndpoints(t, appId, [{ Id: "framed", ChannelType: "SMS", Address: "+14155550104" }]);
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "text",
        Limits: { EndpointReentryCap: 0, TimeframeCap: { Cap: 2, Days: 7 } },
        Activities: { text: { SMS: { TemplateName: templates.sms } } },
      }),
    );
    for (const key of ["one", "two", "three"]) {
      await enter(t, appId, journeyId, ["framed"], { event: featureRelease, key });
      await settle(t);
    }
    expect(await journeyMessages(t, journeyId)).toHaveLength(2);
    expect((await metrics(t, journeyId))["text/TIMEFRAME_CAP"]).toBe(1);
    clock.advance(8 * dayMs);
    await enter(t, appId, journeyId, ["framed"], { event: featureRelease, key: "four" });
    await settle(t);
    expect(await journeyMessages(t, journeyId)).toHaveLength(3);
  });

  it("quiet time holds the message until it ends with WaitForQuietTime, and skips it without", async () => {
    await putEndpoints(t, appId, [{ Id: "night", ChannelType: "SMS", Address: "+14155550103" }]);
    clock.set(Date.parse("2026-11-25T12:00:00Z"));
    // Quiet from 11:00 to 13:00 on the journey's clock (UTC).
    const definition = (wait: boolean) =>
      enteredByTests({
        StartActivity: "text",
        QuietTime: { Start: "11:00", End: "13:00" },
        WaitForQuietTime: wait,
        Activities: { text: { SMS: { TemplateName: templates.sms } } },
      });
    const waiting = await publishJourney(t, appId, definition(true));
    const skipping = await publishJourney(t, appId, definition(false));
    await enter(t, appId, waiting, ["night"], { event: featureRelease });
    await enter(t, appId, skipping, ["night"], { event: featureRelease });
    await settle(t);

    expect(await journeyMessages(t, waiting)).toEqual([]);
    const [held] = await participants(t, waiting);
    expect([held.status, held.activityId, held.wakeMs]).toEqual(["ACTIVE", "text", Date.parse("2026-11-25T13:00:00Z")]);
    expect(await journeyMessages(t, skipping)).toEqual([]);
    expect((await metrics(t, skipping))["text/QUIET_TIME"]).toBe(1);
    expect((await participants(t, skipping))[0].status).toBe("LEFT");

    clock.set(Date.parse("2026-11-25T13:00:00Z"));
    await settle(t);
    expect((await journeyMessages(t, waiting)).map((m) => m.endpointId)).toEqual(["night"]);
    // Held at the activity, not entered twice.
    expect((await metrics(t, waiting))["text/ENDPOINT_ENTERED"]).toBe(1);
  });

  it("MessagesPerSecond sends what the journey's rate allows and holds the rest back for their turn", async () => {
    const ids = Array.from({ length: 5 }, (_, i) => `rate-${i}`);
    await putEndpoints(
      t,
      appId,
      ids.map((Id, i) => ({ Id, ChannelType: "SMS", Address: `+1415555020${i}` })),
    );
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "text",
        Limits: { MessagesPerSecond: 2 },
        Activities: { text: { SMS: { TemplateName: templates.sms } } },
      }),
    );
    await enter(t, appId, journeyId, ids, { event: featureRelease });
    await settle(t);
    expect(await journeyMessages(t, journeyId)).toHaveLength(2);
    const held = (await participants(t, journeyId)).filter((p) => p.status === "ACTIVE");
    expect(held.map((p) => p.wakeMs).sort()).toEqual([clock.now() + 500, clock.now() + 1000, clock.now() + 1500]);
    clock.advance(1000);
    await settle(t);
    expect(await journeyMessages(t, journeyId)).toHaveLength(4);
    clock.advance(1000);
    await settle(t);
    expect((await journeyMessages(t, journeyId)).map((m) => m.endpointId).sort()).toEqual(ids);
    expect((await metrics(t, journeyId))["text/ENDPOINT_ENTERED"]).toBe(5);
  });
});
