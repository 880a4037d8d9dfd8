import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateAppCommand, PutEventStreamCommand, UpdateEndpointsBatchCommand } from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CustomChannelEvent } from "../src/channels/custom/payload.js";
import type { MessageOrigin } from "../src/messages/model.js";
import { enqueueMessages, type QueuedMessage } from "../src/messages/outbox/enqueue.js";
import { fromJson } from "../src/store/index.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

const lambdaArn = "arn:aws:lambda:us-east-1:123456789012:function:deliver-offers";
const downArn = "arn:aws:lambda:us-east-1:123456789012:function:down";
const streamArn = "arn:aws:firehose:us-east-1:000000000000:deliverystream/custom-events";

/**
 * A custom channel function on 127.0.0.1. `/verified` answers HEAD with the account header,
 * `/unverified` without it, `/down` answers 503. POSTs are kept and answered with EventAttributes
 * per endpoint: `offer` A for even endpoint numbers, B for odd.
 */
async function startFunction(accountId: string) {
  const posts: Array<{ path: string; event: CustomChannelEvent }> = [];
  const heads: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    if (req.method === "HEAD") {
      heads.push(path);
      res.writeHead(200, path === "/verified" ? { "X-Amz-Pinpoint-AccountId": accountId } : {});
      return res.end();
    }
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      const event = JSON.parse(text) as CustomChannelEvent;
      posts.push({ path, event });
      if (path === "/down") {
        res.writeHead(503);
        return res.end("try later");
      }
      const answer = Object.fromEntries(
        Object.keys(event.Endpoints).map((id) => [
          id,
          { EventAttributes: { offer: Number(id.split("-")[1]) % 2 === 0 ? "A" : "B", score: 7 } },
        ]),
      );
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, posts, heads, server };
}

describe.each(databases)("the custom channel on %s", (kind) => {
  let t: TestServer;
  let fn: Awaited<ReturnType<typeof startFunction>>;
  let appId: string;
  let dir: string;
  beforeAll(async () => {
    fn = await startFunction("000000000000");
    dir = mkdtempSync(join(tmpdir(), "waymark-custom-"));
    t = await startTestServer(kind, {
      lambdaFunctions: { [lambdaArn]: `${fn.base}/lambda`, [downArn]: `${fn.base}/down` },
      eventStreams: { [streamArn]: { type: "file", path: join(dir, "events.ndjson") } },
    });
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Custom" } }));
    appId = app.ApplicationResponse?.Id ?? "";
    await t.client.send(
      new PutEventStreamCommand({
        ApplicationId: appId,
        WriteEventStream: { DestinationStreamArn: streamArn, RoleArn: "arn:aws:iam::000000000000:role/stream" },
      }),
    );
    for (let start = 0; start < 120; start += 60) {
      await t.client.send(
        new UpdateEndpointsBatchCommand({
          ApplicationId: appId,
          EndpointBatchRequest: {
            Item: Array.from({ length: 60 }, (_, i) => ({
              Id: `ep-${start + i}`,
              ChannelType: "EMAIL",
              Address: `p${start + i}@example.com`,
              Attributes: { CohortId: [String((start + i) % 5)] },
              User: { UserId: `user-${start + i}` },
            })),
          },
        }),
      );
    }
  });
  afterAll(async () => {
    await t.close();
    fn.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const customMessage = (n: number, deliveryUri: string, origin: MessageOrigin): QueuedMessage => ({
    id: randomUUID(),
    sendKey: `test:${randomUUID()}`,
    appId,
    channel: "CUSTOM",
    address: `p${n}@example.com`,
    endpointId: `ep-${n}`,
    content: { kind: "custom", deliveryUri, data: '{"offer":"spring"}' },
    origin,
    context: {},
    sender: deliveryUri,
    maxAttempts: 1,
    notBeforeMs: Date.now() + 60_000,
  });
  const deliver = async (messages: QueuedMessage[]) => {
    await t.server.services.store.db.transaction().execute((trx) => enqueueMessages(trx, messages));
    return t.server.services.delivery.deliverNow(messages.map((m) => m.id));
  };

  it("posts Pinpoint's event to a verified webhook, 50 endpoints a call, and keeps each endpoint's EventAttributes", async () => {
    const origin = { journeyId: "journey-1", journeyActivityId: "custom-activity", journeyRunId: "run-1" };
    const messages = Array.from({ length: 120 }, (_, n) => customMessage(n, `${fn.base}/verified`, origin));
    const outcomes = await deliver(messages);
    expect(messages.map((m) => outcomes.get(m.id)?.status)).toEqual(messages.map(() => "SUCCESSFUL"));

    expect(fn.heads).toEqual(["/verified"]);
    const posts = fn.posts.filter((p) => p.path === "/verified");
    expect(posts.map((p) => Object.keys(p.event.Endpoints).length).sort()).toEqual([20, 50, 50]);
    const everyEndpoint = posts.flatMap((p) => Object.keys(p.event.Endpoints)).sort();
    expect(everyEndpoint).toEqual(Array.from({ length: 120 }, (_, n) => `ep-${n}`).sort());

    const { event } = posts[0];
    expect(Object.keys(event).sort()).toEqual(
      ["ActivityId", "ApplicationId", "Data", "Endpoints", "JourneyId", "Message", "ScheduledTime"].sort(),
    );
    expect(event).toMatchObject({
      Message: {},
      Data: '{"offer":"spring"}',
      ApplicationId: appId,
      JourneyId: "journey-1",
      ActivityId: "custom-activity",
    });
    expect(Date.parse(event.ScheduledTime)).toBeGreaterThan(Date.now() - 60_000);
    const [someId, definition] = Object.entries(event.Endpoints)[0];
    const n = Number(someId.split("-")[1]);
    expect(definition).toMatchObject({
      ChannelType: "EMAIL",
      Address: `p${n}@example.com`,
      EndpointStatus: "ACTIVE",
      OptOut: "NONE",
      Attributes: { CohortId: [String(n % 5)] },
      User: { UserId: `user-${n}` },
    });
    expect(definition).not.toHaveProperty("Id");
    expect(definition).not.toHaveProperty("ApplicationId");

    const events = await t.server.services.store.db
      .selectFrom("events")
      .select(["endpoint_id", "event_type", "body"])
      .where("app_id", "=", appId)
      .where("event_type", "=", "_custom.send")
      .execute();
    expect(events).toHaveLength(120);
    const ep7 = events.find((e) => e.endpoint_id === "ep-7");
    expect(fromJson<{ Attributes: Record<string, string> }>(ep7?.body ?? "{}").Attributes).toMatchObject({
      offer: "B",
      score: "7",
      journey_id: "journey-1",
      journey_activity_id: "custom-activity",
      delivery_status: "SUCCESSFUL",
    });

    // The event stream gets one send record per message, not one from the provider and one from the pipeline.
    const streamed = () =>
      existsSync(join(dir, "events.ndjson"))
        ? readFileSync(join(dir, "events.ndjson"), "utf8")
            .split("\n")
            .filter((line) => line.includes('"_custom.send"'))
        : [];
    await expect.poll(() => streamed().length, { timeout: 10_000, interval: 50 }).toBe(120);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(streamed()).toHaveLength(120);
  });

  it("verifies a webhook once and reuses the verification", async () => {
    const before = fn.heads.length;
    const origin = { campaignId: "campaign-1" };
    const outcomes = await deliver([customMessage(1, `${fn.base}/verified`, origin)]);
    expect([...outcomes.values()].map((o) => o.status)).toEqual(["SUCCESSFUL"]);
    expect(fn.heads.length).toBe(before);
    const last = fn.posts[fn.posts.length - 1].event;
    expect(last).toMatchObject({ CampaignId: "campaign-1", TreatmentId: "0" });
  });

  it("refuses a webhook whose HEAD answer lacks X-Amz-Pinpoint-AccountId and sends it nothing", async () => {
    const message = customMessage(2, `${fn.base}/unverified`, { campaignId: "campaign-2" });
    const outcomes = await deliver([message]);
    const outcome = outcomes.get(message.id);
    expect(outcome?.status).toBe("PERMANENT_FAILURE");
    expect(outcome?.statusMessage).toContain("X-Amz-Pinpoint-AccountId: 000000000000");
    expect(fn.heads).toContain("/unverified");
    expect(fn.posts.some((p) => p.path === "/unverified")).toBe(false);
  });

  it("calls a Lambda function at its mapped URL without a HEAD check", async () => {
    const headsBefore = fn.heads.length;
    const message = customMessage(3, `${lambdaArn}:live`, { campaignId: "campaign-3", treatmentId: "2" });
    const outcomes = await deliver([message]);
    expect(outcomes.get(message.id)?.status).toBe("SUCCESSFUL");
    expect(fn.heads.length).toBe(headsBefore);
    const post = fn.posts.find((p) => p.path === "/lambda");
    expect(post?.event).toMatchObject({ CampaignId: "campaign-3", TreatmentId: "2", Endpoints: { "ep-3": {} } });
  });

  it("fails a Lambda ARN with no URL permanently, saying how to map it", async () => {
    const unmapped = "arn:aws:lambda:us-east-1:123456789012:function:not-mapped";
    const message = customMessage(4, unmapped, { campaignId: "campaign-4" });
    const outcome = (await deliver([message])).get(message.id);
    expect(outcome?.status).toBe("PERMANENT_FAILURE");
    expect(outcome?.statusMessage).toContain("lambdaFunctions");
    expect(outcome?.statusMessage).toContain(unmapped);
  });

  it("reads a function answering 5xx as TEMPORARY_FAILURE and records no send", async () => {
    const message = customMessage(5, downArn, {});
    const outcome = (await deliver([message])).get(message.id);
    expect(outcome).toMatchObject({ status: "TEMPORARY_FAILURE", statusCode: 503 });
    const events = await t.server.services.store.db
      .selectFrom("events")
      .select("event_type")
      .where("event_id", "like", `${message.id}:%`)
      .execute();
    expect(events.map((e) => e.event_type)).toEqual(["_custom.failure"]);
  });
});
