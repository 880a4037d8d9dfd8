import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateAppCommand, PutEventStreamCommand, PutEventsCommand } from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databases, startTestServer, type TestServer } from "./support/server.js";

const streamArn = "arn:aws:kinesis:us-east-1:000000000000:stream/waymark-events";

describe.each(databases)("PutEvents to the event stream on %s", (kind) => {
  let t: TestServer;
  let webhook: Server;
  const received: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    webhook = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        received.push(...JSON.parse(body));
        response.end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
    const { port } = webhook.address() as AddressInfo;
    t = await startTestServer(kind, {
      eventStreams: { [streamArn]: { type: "webhook", url: `http://127.0.0.1:${port}/events`, headers: {} } },
    });
  });
  afterAll(async () => {
    await t.close();
    webhook.close();
  });

  it("streams every accepted event, with its endpoint, as Pinpoint's record", async () => {
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Streamed" } }));
    const appId = app.ApplicationResponse?.Id ?? "";
    await t.client.send(
      new PutEventStreamCommand({
        ApplicationId: appId,
        WriteEventStream: { DestinationStreamArn: streamArn, RoleArn: "arn:aws:iam::000000000000:role/stream" },
      }),
    );
    const timestamp = "2026-11-01T10:00:00.000Z";
    await t.client.send(
      new PutEventsCommand({
        ApplicationId: appId,
        EventsRequest: {
          BatchItem: {
            "ep-stream": {
              Endpoint: { ChannelType: "EMAIL", Address: "s@example.com", Demographic: { Platform: "ios" } },
              Events: {
                one: { EventType: "signup", Timestamp: timestamp, Attributes: { plan: "pro" }, Metrics: { seats: 3 } },
                bad: { EventType: "", Timestamp: timestamp },
              },
            },
          },
        },
      }),
    );
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      event_type: "signup",
      event_timestamp: Date.parse(timestamp),
      attributes: { plan: "pro" },
      metrics: { seats: 3 },
      application: { app_id: appId },
      endpoint: { Id: "ep-stream", Address: "s@example.com", ChannelType: "EMAIL" },
    });
  });
});
