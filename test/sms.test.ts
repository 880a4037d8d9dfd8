import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAppCommand,
  GetEndpointCommand,
  PutEventStreamCommand,
  SendMessagesCommand,
  UpdateEndpointCommand,
  UpdateSmsChannelCommand,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { twilioSignature } from "../src/channels/sms/twilio-signature.js";
import { isOptedOut } from "../src/messages/opt-outs.js";
import { enqueueMessages, type QueuedMessage } from "../src/messages/outbox/enqueue.js";
import { fromJson } from "../src/store/index.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

const accountSid = "AC0123456789abcdef0123456789abcdef";
const authToken = "twilio-test-auth-token";
const publicUrl = "https://waymark.example.test";
const ourNumber = "+15559990000";
const streamArn = "arn:aws:kinesis:us-east-1:000000000000:stream/sms-events";

interface TwilioRequest {
  authorization: string | undefined;
  path: string;
  form: URLSearchParams;
}

/**
 * Twilio's Messages API on 127.0.0.1: checks the account's basic auth, keeps every message create,
 * and answers 201 with a new sid, or the next status the test queued (429, 400 with Twilio's code).
 */
async function startTwilio() {
  const requests: TwilioRequest[] = [];
  const answers: Array<{ status: number; code?: number }> = [];
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      const form = new URLSearchParams(text);
      requests.push({ authorization: req.headers.authorization, path: req.url ?? "", form });
      res.setHeader("content-type", "application/json");
      if (req.headers.authorization !== expectedAuth) {
        res.writeHead(401);
        return res.end(JSON.stringify({ code: 20003, message: "Authenticate", status: 401 }));
      }
      if (req.url !== `/2010-04-01/Accounts/${accountSid}/Messages.json` || !form.get("To") || !form.get("Body")) {
        res.writeHead(400);
        return res.end(JSON.stringify({ code: 21604, message: "A 'To' phone number is required.", status: 400 }));
      }
      const answer = answers.shift() ?? { status: 201 };
      res.writeHead(answer.status);
      res.end(
        JSON.stringify(
          answer.status === 201
            ? { sid: `SM${randomUUID().replaceAll("-", "")}`, status: "queued", to: form.get("To") }
            : { code: answer.code, message: "refused", status: answer.status },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, answers, server };
}

const waitFor = async (check: () => Promise<boolean> | boolean, what = "condition") => {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe.each(databases)("SMS through a Twilio-compatible provider on %s", (kind) => {
  let t: TestServer;
  let twilio: Awaited<ReturnType<typeof startTwilio>>;
  let appId: string;
  let dir: string;
  const db = () => t.server.services.store.db;

  beforeAll(async () => {
    twilio = await startTwilio();
    dir = mkdtempSync(join(tmpdir(), "waymark-sms-"));
    t = await startTestServer(kind, {
      publicUrl,
      providers: { sms: { type: "twilio", url: twilio.url, accountSid, authToken } },
      eventStreams: { [streamArn]: { type: "file", path: join(dir, "events.ndjson") } },
      smsKeywordReplies: { HELP: "Acme help: support@acme.example. Reply STOP to opt out." },
    });
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Texts" } }));
    appId = app.ApplicationResponse?.Id ?? "";
    await t.client.send(
      new PutEventStreamCommand({
        ApplicationId: appId,
        WriteEventStream: { DestinationStreamArn: streamArn, RoleArn: "arn:aws:iam::000000000000:role/stream" },
      }),
    );
  });
  afterAll(async () => {
    await t.close();
    twilio.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh E.164 number for each test, so tests never see each other's messages. */
  let numbers = 0;
  const newNumber = () => `+1555${kind === "sqlite" ? 1 : 2}${String(++numbers).padStart(6, "0")}`;

  const endpointAt = async (address: string) => {
    const id = `ep-${randomUUID()}`;
    await t.client.send(
      new UpdateEndpointCommand({
        ApplicationId: appId,
        EndpointId: id,
        EndpointRequest: { ChannelType: "SMS", Address: address },
      }),
    );
    return id;
  };

  const sendTo = (recipient: { address?: string; endpointId?: string }, body: string) =>
    t.client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          ...(recipient.address ? { Addresses: { [recipient.address]: { ChannelType: "SMS" } } } : {}),
          ...(recipient.endpointId ? { Endpoints: { [recipient.endpointId]: {} } } : {}),
          MessageConfiguration: { SMSMessage: { Body: body, OriginationNumber: ourNumber } },
        },
      }),
    );

  /** Posts a form to a Twilio webhook as Twilio would, signed for the public URL unless told otherwise. */
  const callback = async (pathWithQuery: string, params: Record<string, string>, signWith = authToken) => {
    const form = new URLSearchParams(params);
    const signature = twilioSignature(`${publicUrl}${pathWithQuery}`, form, signWith);
    return fetch(`${t.url}${pathWithQuery}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
      body: form.toString(),
    });
  };

  const events = (eventType: string) =>
    db()
      .selectFrom("events")
      .select(["endpoint_id", "event_id", "body"])
      .where("app_id", "=", appId)
      .where("event_type", "=", eventType)
      .execute();
  const attributesOf = (row: { body: unknown }) =>
    fromJson<{ Attributes: Record<string, string> }>(row.body).Attributes;

  const streamed = () => {
    const path = join(dir, "events.ndjson");
    if (!existsSync(path)) return [];
    return readFileSync(path, "utf8")
      .split("\n")
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as {
            event_type: string;
            client: { client_id: string };
            attributes: Record<string, string>;
          },
      );
  };

  const twilioSendsTo = (address: string) => twilio.requests.filter((request) => request.form.get("To") === address);

  it("sends an SMS through the Messages API with basic auth, the form fields and a status callback", async () => {
    const to = newNumber();
    const response = await sendTo({ address: to }, "Your code is 1234");
    const result = response.MessageResponse?.Result?.[to];
    expect(result).toMatchObject({ DeliveryStatus: "SUCCESSFUL", StatusCode: 200 });
    const [request] = twilioSendsTo(to);
    expect(request.path).toBe(`/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(Object.fromEntries(request.form)).toEqual({
      To: to,
      From: ourNumber,
      Body: "Your code is 1234",
      StatusCallback: `${publicUrl}/webhooks/sms/twilio/status?message=${result?.MessageId}`,
    });
    const row = await db()
      .selectFrom("messages")
      .select("provider_message_id")
      .where("id", "=", result?.MessageId ?? "")
      .executeTakeFirstOrThrow();
    expect(row.provider_message_id).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it("records _SMS.SUCCESS for a delivered status callback and _SMS.FAILURE for an undelivered one", async () => {
    const [delivered, undelivered] = [newNumber(), newNumber()];
    const [deliveredEndpoint, undeliveredEndpoint] = [await endpointAt(delivered), await endpointAt(undelivered)];
    const sent = await t.client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          Endpoints: { [deliveredEndpoint]: {}, [undeliveredEndpoint]: {} },
          MessageConfiguration: { SMSMessage: { Body: "Your parcel ships today", OriginationNumber: ourNumber } },
        },
      }),
    );
    const messageId = (endpointId: string) => sent.MessageResponse?.EndpointResult?.[endpointId]?.MessageId ?? "";
    const sidOf = async (address: string) =>
      (
        await db()
          .selectFrom("messages")
          .select("provider_message_id")
          .where("address", "=", address)
          .executeTakeFirstOrThrow()
      ).provider_message_id ?? "";
    const sent1 = await callback(`/webhooks/sms/twilio/status?message=${messageId(deliveredEndpoint)}`, {
      MessageSid: await sidOf(delivered),
      MessageStatus: "delivered",
      To: delivered,
    });
    const sent2 = await callback(`/webhooks/sms/twilio/status?message=${messageId(undeliveredEndpoint)}`, {
      MessageSid: await sidOf(undelivered),
      MessageStatus: "undelivered",
      ErrorCode: "30003",
      To: undelivered,
    });
    expect([sent1.status, sent2.status]).toEqual([204, 204]);

    const success = (await events("_SMS.SUCCESS")).filter((row) => row.endpoint_id === deliveredEndpoint);
    expect(success).toHaveLength(1);
    expect(attributesOf(success[0])).toMatchObject({
      message_id: messageId(deliveredEndpoint),
      record_status: "DELIVERED",
      destination_phone_number: delivered,
      origination_phone_number: ourNumber,
      message_type: "Transactional",
    });
    const failure = (await events("_SMS.FAILURE")).filter((row) => row.endpoint_id === undeliveredEndpoint);
    expect(failure).toHaveLength(1);
    expect(attributesOf(failure[0])).toMatchObject({
      record_status: "UNREACHABLE",
      status_message: "Twilio error 30003",
    });

    await waitFor(
      () =>
        streamed().some((r) => r.event_type === "_SMS.SUCCESS" && r.client.client_id === deliveredEndpoint) &&
        streamed().some((r) => r.event_type === "_SMS.FAILURE" && r.client.client_id === undeliveredEndpoint),
      "receipts on the event stream",
    );
  });

  it("refuses a status callback with a bad signature with 403 and records nothing", async () => {
    const to = newNumber();
    const endpointId = await endpointAt(to);
    const sent = await sendTo({ endpointId }, "Signed callbacks only");
    const messageId = sent.MessageResponse?.EndpointResult?.[endpointId]?.MessageId ?? "";
    const path = `/webhooks/sms/twilio/status?message=${messageId}`;
    const params = { MessageSid: "SMforged", MessageStatus: "delivered" };
    const wrongToken = await callback(path, params, "someone-elses-token");
    const form = new URLSearchParams(params);
    const tampered = await fetch(`${t.url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        // Signed for a failed status, sent as delivered.
        "x-twilio-signature": twilioSignature(
          `${publicUrl}${path}`,
          new URLSearchParams({ ...params, MessageStatus: "failed" }),
          authToken,
        ),
      },
      body: form.toString(),
    });
    const unsigned = await fetch(`${t.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    expect([wrongToken.status, tampered.status, unsigned.status]).toEqual([403, 403, 403]);
    const recorded = [...(await events("_SMS.SUCCESS")), ...(await events("_SMS.FAILURE"))];
    expect(recorded.filter((row) => row.endpoint_id === endpointId)).toEqual([]);
  });

  it("retries a message Twilio throttled with 429 until it is accepted", async () => {
    const to = newNumber();
    twilio.answers.push({ status: 429, code: 20429 });
    const message: QueuedMessage = {
      id: randomUUID(),
      sendKey: `test:${randomUUID()}`,
      appId,
      channel: "SMS",
      address: to,
      content: { kind: "sms", body: "Spring sale", messageType: "PROMOTIONAL", originationNumber: ourNumber },
      origin: { campaignId: "spring" },
      context: {},
      sender: ourNumber,
      maxAttempts: 3,
    };
    await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, [message]));
    t.server.services.delivery.wake();
    const row = () =>
      db()
        .selectFrom("messages")
        .select(["status", "attempts", "status_code"])
        .where("id", "=", message.id)
        .executeTakeFirstOrThrow();
    await waitFor(async () => (await row()).attempts >= 1, "the first attempt");
    await waitFor(async () => (await row()).status === "SUCCESSFUL", "the retry");
    expect((await row()).attempts).toBe(2);
    expect(twilioSendsTo(to)).toHaveLength(2);
  });

  it("records an inbound SMS as _SMS.RECEIVED on the sender's endpoint and streams it", async () => {
    const from = newNumber();
    const endpointId = await endpointAt(from);
    const response = await callback(`/webhooks/sms/twilio/inbound?app=${appId}`, {
      MessageSid: `SM${randomUUID()}`,
      From: from,
      To: ourNumber,
      Body: "Where is my order?",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/xml");
    expect(await response.text()).toContain("<Response></Response>");
    const received = (await events("_SMS.RECEIVED")).filter((row) => row.endpoint_id === endpointId);
    expect(received).toHaveLength(1);
    expect(attributesOf(received[0])).toMatchObject({
      origination_phone_number: from,
      destination_phone_number: ourNumber,
      message_body: "Where is my order?",
      message_keyword: "WHERE",
    });
    await waitFor(
      () =>
        streamed().some(
          (r) =>
            r.event_type === "_SMS.RECEIVED" &&
            r.client.client_id === endpointId &&
            r.attributes.message_body === "Where is my order?",
        ),
      "_SMS.RECEIVED on the event stream",
    );
    expect(twilioSendsTo(from)).toEqual([]);
  });

  it("takes an inbound SMS without ?app= to the app whose SMS channel has the number", async () => {
    const shortCode = kind === "sqlite" ? "55501" : "55502";
    const other = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Short code" } }));
    const otherId = other.ApplicationResponse?.Id ?? "";
    await t.client.send(
      new UpdateSmsChannelCommand({ ApplicationId: otherId, SMSChannelRequest: { ShortCode: shortCode } }),
    );
    const from = newNumber();
    const response = await callback("/webhooks/sms/twilio/inbound", {
      MessageSid: `SM${randomUUID()}`,
      From: from,
      To: shortCode,
      Body: "JOIN",
    });
    expect(response.status).toBe(200);
    const rows = await db()
      .selectFrom("events")
      .select(["app_id", "endpoint_id"])
      .where("event_type", "=", "_SMS.RECEIVED")
      .where("endpoint_id", "=", from)
      .execute();
    expect(rows).toEqual([{ app_id: otherId, endpoint_id: from }]);
  });

  it("refuses an inbound webhook with a bad signature with 403 and records nothing", async () => {
    const from = newNumber();
    const response = await callback(
      `/webhooks/sms/twilio/inbound?app=${appId}`,
      { MessageSid: `SM${randomUUID()}`, From: from, To: ourNumber, Body: "STOP" },
      "someone-elses-token",
    );
    expect(response.status).toBe(403);
    expect((await events("_SMS.RECEIVED")).filter((row) => row.endpoint_id === from)).toEqual([]);
    expect(await isOptedOut(db(), appId, "SMS", from)).toBe(false);
  });

  it("opts a number out on STOP, records _SMS.OPTOUT, replies, and answers later sends OPT_OUT", async () => {
    const from = newNumber();
    const endpointId = await endpointAt(from);
    const stop = await callback(`/webhooks/sms/twilio/inbound?app=${appId}`, {
      MessageSid: `SM${randomUUID()}`,
      From: from,
      To: ourNumber,
      Body: "Stop",
    });
    expect(stop.status).toBe(200);
    const endpoint = await t.client.send(new GetEndpointCommand({ ApplicationId: appId, EndpointId: endpointId }));
    expect(endpoint.EndpointResponse?.OptOut).toBe("ALL");
    expect(await isOptedOut(db(), appId, "SMS", from)).toBe(true);
    const optOuts = (await events("_SMS.OPTOUT")).filter((row) => row.endpoint_id === endpointId);
    expect(optOuts).toHaveLength(1);
    await waitFor(() => twilioSendsTo(from).length === 1, "the STOP reply");
    const [reply] = twilioSendsTo(from);
    expect(reply.form.get("From")).toBe(ourNumber);
    expect(reply.form.get("Body")).toContain("opted out");

    const toEndpoint = await sendTo({ endpointId }, "Spring sale");
    expect(toEndpoint.MessageResponse?.EndpointResult?.[endpointId]?.DeliveryStatus).toBe("OPT_OUT");
    const queued: QueuedMessage = {
      id: randomUUID(),
      sendKey: `test:${randomUUID()}`,
      appId,
      channel: "SMS",
      address: from,
      content: { kind: "sms", body: "Spring sale", messageType: "PROMOTIONAL", originationNumber: ourNumber },
      origin: { journeyId: "j-1" },
      context: {},
      sender: ourNumber,
      maxAttempts: 1,
      notBeforeMs: Date.now() + 60_000,
    };
    await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, [queued]));
    const outcomes = await t.server.services.delivery.deliverNow([queued.id]);
    expect(outcomes.get(queued.id)?.status).toBe("OPT_OUT");
    expect(twilioSendsTo(from)).toHaveLength(1);
  });

  it("opts a number in again on START and replies", async () => {
    const from = newNumber();
    const endpointId = await endpointAt(from);
    for (const body of ["STOP", "start"]) {
      await callback(`/webhooks/sms/twilio/inbound?app=${appId}`, {
        MessageSid: `SM${randomUUID()}`,
        From: from,
        To: ourNumber,
        Body: body,
      });
    }
    const endpoint = await t.client.send(new GetEndpointCommand({ ApplicationId: appId, EndpointId: endpointId }));
    expect(endpoint.EndpointResponse?.OptOut).toBe("NONE");
    expect(await isOptedOut(db(), appId, "SMS", from)).toBe(false);
    await waitFor(() => twilioSendsTo(from).length === 2, "both replies");
    expect(twilioSendsTo(from).map((request) => request.form.get("Body"))).toEqual(
      expect.arrayContaining([expect.stringContaining("opted in")]),
    );
    const sent = await sendTo({ endpointId }, "Welcome back");
    expect(sent.MessageResponse?.EndpointResult?.[endpointId]?.DeliveryStatus).toBe("SUCCESSFUL");
  });

  it("answers HELP with the configured help reply and changes nothing else", async () => {
    const from = newNumber();
    const endpointId = await endpointAt(from);
    await callback(`/webhooks/sms/twilio/inbound?app=${appId}`, {
      MessageSid: `SM${randomUUID()}`,
      From: from,
      To: ourNumber,
      Body: "help",
    });
    await waitFor(() => twilioSendsTo(from).length === 1, "the HELP reply");
    expect(twilioSendsTo(from)[0].form.get("Body")).toBe("Acme help: support@acme.example. Reply STOP to opt out.");
    const endpoint = await t.client.send(new GetEndpointCommand({ ApplicationId: appId, EndpointId: endpointId }));
    expect(endpoint.EndpointResponse?.OptOut).toBe("NONE");
    expect((await events("_SMS.RECEIVED")).filter((row) => row.endpoint_id === endpointId)).toHaveLength(1);
  });
});
