import type { AddressInfo } from "node:net";
import { CreateEmailTemplateCommand } from "@aws-sdk/client-pinpoint";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.js";
import {
  createApp,
  enter,
  enteredByTests,
  eventually,
  metrics,
  participants,
  publishJourney,
  putEndpoints,
  settle,
} from "./support/journey-engine.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

/** A real SMTP server standing in for the provider; it refuses `gone-*` mailboxes for good (550). */
async function startSink() {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith("gone-")) {
        return callback(Object.assign(new Error("5.1.1 No such user"), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const start = Date.parse("2026-11-23T12:00:00Z");

describe.each(databases)("a journey's emails through SMTP on %s", (kind) => {
  let t: TestServer;
  let sink: Awaited<ReturnType<typeof startSink>>;
  let appId: string;
  const clock = new ManualClock(start);

  beforeAll(async () => {
    sink = await startSink();
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
          announce: {
            EMAIL: {
              TemplateName: template,
              MessageConfig: { FromAddress: "news@example.com" },
              NextActivity: "opened",
            },
          },
          opened: {
            ConditionalSplit: {
              Condition: {
                Conditions: [
                  {
                    EventCondition: {
                      MessageActivity: "announce",
                      Dimensions: { EventType: { DimensionType: "INCLUSIVE", Values: ["_email.open"] } },
                    },
                  },
                ],
              },
              EvaluationWaitTime: { WaitFor: "P1D" },
              TrueActivity: "engaged",
              FalseActivity: "unengaged",
            },
          },
          engaged: { Wait: { WaitTime: { WaitFor: "P7D" } } },
          unengaged: { Wait: { WaitTime: { WaitFor: "P7D" } } },
        },
      }),
    );
    await enter(t, appId, journeyId, ["reader", "ignorer", "gone"], {
      broadcast: { id: `smtp-launch-${kind}`, event: { EventType: "launch", Attributes: { feature: "Dark mode" } } },
    });
    await settle(t);

    const counted = await eventually(
      () => metrics(t, journeyId),
      (m) => m["announce/SUCCESS"] === 2 && m["announce/PERMANENT_FAILURE"] === 1,
    );
    expect(counted["announce/ENDPOINT_ENTERED"]).toBe(3);
    expect(sink.received.map((mail) => mail.subject)).toEqual(["New: Dark mode", "New: Dark mode"]);
    const mail = sink.received.find((m) => (m.html || "").includes("Dark mode is here, reader."));
    const pixel = /<img src="([^"]+\/t\/o\/[^"]+)"/.exec(String(mail?.html))?.[1] ?? "";
    expect((await fetch(new URL(new URL(pixel).pathname, t.url))).status).toBe(200);

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
