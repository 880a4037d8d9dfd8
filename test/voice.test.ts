import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateAppCommand } from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpVoiceProvider } from "../src/channels/voice/http.js";
import type { VoiceContent } from "../src/messages/model.js";
import { enqueueMessages, type QueuedMessage } from "../src/messages/outbox/enqueue.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

interface ReceivedCall {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A voice provider on 127.0.0.1: answers by the number called (+1555000<status>), else 202 with an id. */
async function startVoiceProvider(): Promise<{ url: string; calls: ReceivedCall[]; server: Server }> {
  const calls: ReceivedCall[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      calls.push({ headers: req.headers, body });
      const status = /^\+1555000(\d{3})$/.exec(String(body.to))?.[1];
      if (status === "999") return; // never answers
      res.writeHead(status ? Number(status) : 202, { "content-type": "application/json" });
      res.end(JSON.stringify(status ? { error: `status ${status}` } : { id: `call-${body.messageId}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/calls`, calls, server };
}

const voiceMessage = (appId: string, to: string, content: Partial<VoiceContent> = {}): QueuedMessage => ({
  id: randomUUID(),
  sendKey: `test:${randomUUID()}`,
  appId,
  channel: "VOICE",
  address: to,
  endpointId: `ep-${to}`,
  content: {
    kind: "voice",
    body: "Your appointment is tomorrow at nine.",
    isSsml: false,
    languageCode: "en-US",
    voiceId: "Joanna",
    originationNumber: "+18555550142",
    ...content,
  },
  origin: { campaignId: "c-voice" },
  context: {},
  sender: "+18555550142",
  maxAttempts: 1,
  notBeforeMs: Date.now() + 60_000,
});

describe.each(databases)("the HTTP voice provider on %s", (kind) => {
  let t: TestServer;
  let provider: Awaited<ReturnType<typeof startVoiceProvider>>;
  let appId: string;
  beforeAll(async () => {
    provider = await startVoiceProvider();
    t = await startTestServer(kind, {
      providers: { voice: { url: provider.url, headers: { "x-api-key": "voice-secret" } } },
    });
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Voice" } }));
    appId = app.ApplicationResponse?.Id ?? "";
  });
  afterAll(async () => {
    await t.close();
    provider.server.close();
  });

  const deliver = async (messages: QueuedMessage[]) => {
    const db = t.server.services.store.db;
    await db.transaction().execute((trx) => enqueueMessages(trx, messages));
    return t.server.services.delivery.deliverNow(messages.map((m) => m.id));
  };
  const eventsOf = (messageId: string) =>
    t.server.services.store.db
      .selectFrom("events")
      .select(["event_type", "endpoint_id"])
      .where("app_id", "=", appId)
      .where("event_id", "like", `${messageId}:%`)
      .execute();

  it("posts text and SSML calls with the configured headers and keeps the provider's call id", async () => {
    const text = voiceMessage(appId, "+12065550100");
    const ssml = voiceMessage(appId, "+12065550101", {
      body: "<speak>Hello <break time='1s'/> there</speak>",
      isSsml: true,
      languageCode: "en-GB",
      voiceId: "Amy",
    });
    const outcomes = await deliver([text, ssml]);
    expect(outcomes.get(text.id)).toMatchObject({ status: "SUCCESSFUL", providerMessageId: `call-${text.id}` });
    expect(outcomes.get(ssml.id)?.status).toBe("SUCCESSFUL");
    const received = provider.calls.filter((c) => [text.id, ssml.id].includes(String(c.body.messageId)));
    expect(received.map((c) => c.body)).toEqual(
      expect.arrayContaining([
        {
          messageId: text.id,
          to: "+12065550100",
          from: "+18555550142",
          text: "Your appointment is tomorrow at nine.",
          languageCode: "en-US",
          voiceId: "Joanna",
        },
        {
          messageId: ssml.id,
          to: "+12065550101",
          from: "+18555550142",
          ssml: "<speak>Hello <break time='1s'/> there</speak>",
          languageCode: "en-GB",
          voiceId: "Amy",
        },
      ]),
    );
    expect(received.every((c) => c.headers["x-api-key"] === "voice-secret")).toBe(true);
    expect(await eventsOf(text.id)).toEqual([{ event_type: "_voice.send", endpoint_id: "ep-+12065550100" }]);
    const row = await t.server.services.store.db
      .selectFrom("messages")
      .select(["status", "provider_message_id"])
      .where("id", "=", text.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "SUCCESSFUL", provider_message_id: `call-${text.id}` });
  });

  it("reads 429 as THROTTLED, 5xx as TEMPORARY_FAILURE and other 4xx as PERMANENT_FAILURE", async () => {
    const throttled = voiceMessage(appId, "+1555000429");
    const down = voiceMessage(appId, "+1555000503");
    const refused = voiceMessage(appId, "+1555000400");
    const outcomes = await deliver([throttled, down, refused]);
    expect(outcomes.get(throttled.id)).toMatchObject({ status: "THROTTLED", statusCode: 429 });
    expect(outcomes.get(down.id)).toMatchObject({ status: "TEMPORARY_FAILURE", statusCode: 503 });
    expect(outcomes.get(refused.id)).toMatchObject({ status: "PERMANENT_FAILURE", statusCode: 400 });
    expect(outcomes.get(refused.id)?.statusMessage).toContain("status 400");
    expect((await eventsOf(refused.id)).map((e) => e.event_type)).toEqual(["_voice.failure"]);
  });

  it("reads a provider that cannot be reached as TEMPORARY_FAILURE", async () => {
    const failing = provider.url.replace(/:\d+\//, ":1/");
    const unreachable = new HttpVoiceProvider({ url: failing, headers: {} });
    const [outcome] = await unreachable.send([{ ...voiceMessage(appId, "+12065550102"), attempt: 1 }]);
    await unreachable.close();
    expect(outcome.status).toBe("TEMPORARY_FAILURE");
    expect(outcome.statusMessage).toContain("could not be reached");
  });
});

describe("the HTTP voice provider's timeout", () => {
  it("ends a call the provider never answers as TEMPORARY_FAILURE", async () => {
    const provider = await startVoiceProvider();
    const voice = new HttpVoiceProvider({ url: provider.url, headers: {} }, 200);
    const started = Date.now();
    const [outcome] = await voice.send([{ ...voiceMessage("app", "+1555000999"), attempt: 1 }]);
    await voice.close();
    provider.server.closeAllConnections();
    provider.server.close();
    expect(outcome.status).toBe("TEMPORARY_FAILURE");
    expect(outcome.statusMessage).toContain("TimeoutError");
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
