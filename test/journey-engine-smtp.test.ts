import { CreateEmailTemplateCommand } from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.js";
import { emailActivity, enteredByTests, messageEventSplit } from "./support/journey-definitions.js";
import {
  createApp,
  engineStart,
  enter,
  metrics,
  openEmail,
  participants,
  publishJourney,
  putEndpoints,
  settle,
} from "./support/journeys.js";
import { pollUntil } from "./support/poll.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";
import { type SmtpSink, startSmtpSink } from "./support/smtp-sink.js";

describe.each(databases)("a journey's emails through SMTP on %s", (kind) => {
  let t: TestServer;
  let sink: SmtpSink;
  let appId: string;
  const clock = new ManualClock(engineStart);

  beforeAll(async () => {
    // It refuses `gone-*` mailboxes for good (550).
    sink = await startSmtpSink({ refuse: (address) => address.startsWith("gone-") });
    t = await startTestServer(
      kind,
      { providers: { email: { type: "smtp", url: sink.url, maxConnections: 2 } } },
      { clock },
    );
    appId = await createApp(t, "Engine SMTP");
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it("sends the feature's email, counts each outcome, and splits on the opens of the email received", async () => {
    const template = `smtp-${kind}-${Date.now()}`;
    await t.client.send(
      new CreateEmailTemplateCommand({
        TemplateName: template,
        EmailTemplateRequest: {
          Subject: "New: {{Event.Attributes.feature}}",
          HtmlPart: "<html><body><p>{{Event.Attributes.feature}} is here, {{Id}}.</p></body></html>",
        },
      }),
    );
    await putEndpoints(t, appId, [
      { Id: "reader", ChannelType: "EMAIL", Address: "reader@example.com" },
      { Id: "ignorer", ChannelType: "EMAIL", Address: "ignorer@example.com" },
      { Id: "gone", ChannelType: "EMAIL", Address: "gone-away@example.com" },
    ]);
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "announce",
        Activities: {
          announce: emailActivity(template, "opened"),
          opened: messageEventSplit("announce", "_email.open", { wait: "P1D", yes: "engaged", no: "unengaged" }),
          engaged: { Wait: { WaitTime: { WaitFor: "P7D" } } },
          unengaged: { Wait: { WaitTime: { WaitFor: "P7D" } } },
        },
      }),
    );
    await enter(t, appId, journeyId, ["reader", "ignorer", "gone"], {
      broadcast: { id: `smtp-launch-${kind}`, event: { EventType: "launch", Attributes: { feature: "Dark mode" } } },
    });
    await settle(t);

    const counted = await pollUntil(
      () => metrics(t, journeyId),
      (m) => m["announce/SUCCESS"] === 2 && m["announce/PERMANENT_FAILURE"] === 1,
      { what: "two sent and one refused" },
    );
    expect(counted["announce/ENDPOINT_ENTERED"]).toBe(3);
    expect(sink.received.map((mail) => mail.subject)).toEqual(["New: Dark mode", "New: Dark mode"]);
    const mail = sink.received.find((m) => m.html.includes("Dark mode is here, reader."));
    await openEmail(t, mail?.html ?? "");

    clock.advance(24 * 3_600_000);
    await settle(t);
    expect(Object.fromEntries((await participants(t, journeyId)).map((p) => [p.endpointId, p.activityId]))).toEqual({
      reader: "engaged",
      ignorer: "unengaged",
      gone: "unengaged",
    });
    expect(await metrics(t, journeyId)).toMatchObject({ "opened/Branch_1": 1, "opened/Branch_2": 2 });
  });
});
