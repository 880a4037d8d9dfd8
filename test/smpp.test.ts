import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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
import smpp from "smpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isOptedOut } from "../src/messages/opt-outs.js";
import { enqueueMessages, type QueuedMessage } from "../src/messages/outbox/enqueue.js";
import { fromJson } from "../src/store/index.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

const systemId = "waymark";
const password = "secret1";
const shortCode = "24680";
const ourNumber = "+15559990000";
const streamArn = "arn:aws:kinesis:us-east-1:000000000000:stream/smpp-events";

interface Submitted {
  source_addr?: string;
  source_addr_ton?: number;
  destination_addr?: string;
  esm_class?: number;
  registered_delivery?: number;
  data_coding?: number;
  message: string;
  udh: Buffer[];
  messageId: string;
}

/**
 * An SMSC on 127.0.0.1 from the smpp package: accepts bind_transceiver with the right credentials,
 * answers each submit_sm with a message id (or the next command_status queued for its destination),
 * then sends the delivery receipt asked for, `stat:` as set for the destination (DELIVRD otherwise).
 */
async function startSmsc() {
  const binds: Array<{ system_id?: string; password?: string }> = [];
  const submitted: Submitted[] = [];
  const deliverAnswers: number[] = [];
  const statuses = new Map<string, number[]>();
  const receiptStats = new Map<string, string>();
  let unbinds = 0;
  let ids = 0;
  const sessions = new Set<smpp.Session>();
  const server = smpp.createServer((session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    session.on("error", () => {});
    session.on("bind_transceiver", (pdu: smpp.PDU) => {
      binds.push({ system_id: pdu.system_id, password: pdu.password });
      const ok = pdu.system_id === systemId && pdu.password === password;
      session.send(pdu.response(ok ? {} : { command_status: smpp.errors.ESME_RBINDFAIL }));
    });
    session.on("enquire_link", (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on("unbind", (pdu: smpp.PDU) => {
      unbinds += 1;
      session.send(pdu.response());
    });
    session.on("submit_sm", (pdu: smpp.PDU) => {
      const destination = pdu.destination_addr ?? "";
      const status = statuses.get(destination)?.shift();
      if (status !== undefined) return session.send(pdu.response({ command_status: status }));
      const messageId = `smsc-${++ids}`;
      const decoded = pdu.short_message as smpp.DecodedMessage;
      submitted.push({
        source_addr: pdu.source_addr,
        source_addr_ton: pdu.source_addr_ton,
        destination_addr: destination,
        esm_class: pdu.esm_class,
        registered_delivery: pdu.registered_delivery,
        data_coding: pdu.data_coding,
        message: String(decoded.message),
        udh: decoded.udh ?? [],
        messageId,
      });
      session.send(pdu.response({ message_id: messageId }));
      if (pdu.registered_delivery) {
        const stat = receiptStats.get(destination) ?? "DELIVRD";
        session.deliver_sm({
          source_addr: destination,
          destination_addr: pdu.source_addr,
          esm_class: 0x04,
          short_message: `id:${messageId} sub:001 dlvrd:001 submit date:2611231200 done date:2611231201 stat:${stat} err:000 text:`,
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `smpp://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** Sends a deliver_sm to every bound client and answers the command_status each answered. */
  const deliver = (options: smpp.PduOptions) =>
    Promise.all(
      [...sessions].map(
        (session) =>
          new Promise<number>((resolve) => {
            session.deliver_sm(options, (response) => {
              deliverAnswers.push(response.command_status);
              resolve(response.command_status);
            });
          }),
      ),
    );
  return {
    url,
    binds,
    submitted,
    statuses,
    receiptStats,
    sessions,
    deliver,
    unbinds: () => unbinds,
    dropAll: () => {
      for (const session of sessions) session.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const waitFor = async (check: () => Promise<boolean> | boolean, what = "condition", tries = 200) => {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe.each(databases)("SMS over SMPP on %s", (kind) => {
  let t: TestServer;
  let smsc: Awaited<ReturnType<typeof startSmsc>>;
  let appId: string;
  let dir: string;
  const db = () => t.server.services.store.db;

  beforeAll(async () => {
    smsc = await startSmsc();
    dir = mkdtempSync(join(tmpdir(), "waymark-smpp-"));
    t = await startTestServer(kind, {
      providers: { sms: { type: "smpp", url: smsc.url, systemId, password, systemType: "" } },
      eventStreams: { [streamArn]: { type: "file", path: join(dir, "events.ndjson") } },
    });
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "SMPP" } }));
    appId = app.ApplicationResponse?.Id ?? "";
    await t.client.send(
      new UpdateSmsChannelCommand({ ApplicationId: appId, SMSChannelRequest: { ShortCode: shortCode } }),
    );
    await t.client.send(
      new PutEventStreamCommand({
        ApplicationId: appId,
        WriteEventStream: { DestinationStreamArn: streamArn, RoleArn: "arn:aws:iam::000000000000:role/stream" },
      }),
    );
    await waitFor(() => smsc.sessions.size === 1 && smsc.binds.length === 1, "the bind at start-up");
  });
  afterAll(async () => {
    await t.close();
    await smsc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let numbers = 0;
  const newNumber = () => `+1555${kind === "sqlite" ? 3 : 4}${String(++numbers).padStart(6, "0")}`;
  const submittedTo = (address: string) => smsc.submitted.filter((s) => s.destination_addr === address.slice(1));

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
  const sendTo = (address: string, body: string, originationNumber: string | undefined = ourNumber) =>
    t.client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          Addresses: { [address]: { ChannelType: "SMS" } },
          MessageConfiguration: { SMSMessage: { Body: body, OriginationNumber: originationNumber } },
        },
      }),
    );
  const events = (eventType: string) =>
    db()
      .selectFrom("events")
      .select(["endpoint_id", "body"])
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
          JSON.parse(line) as { event_type: string; client: { client_id: string }; attributes: Record<string, string> },
      );
  };

  it("binds as a transceiver with the configured credentials and submits an SMS asking for its receipt", async () => {
    expect(smsc.binds[0]).toEqual({ system_id: systemId, password });
    const to = newNumber();
    const response = await sendTo(to, "Your code is 1234");
    expect(response.MessageResponse?.Result?.[to]).toMatchObject({ DeliveryStatus: "SUCCESSFUL", StatusCode: 200 });
    const [submit] = submittedTo(to);
    expect(submit).toMatchObject({
      source_addr: ourNumber.slice(1),
      source_addr_ton: 1,
      destination_addr: to.slice(1),
      registered_delivery: 1,
      data_coding: 0,
      esm_class: 0,
      message: "Your code is 1234",
    });
    const row = await db()
      .selectFrom("messages")
      .select("provider_message_id")
      .where("id", "=", response.MessageResponse?.Result?.[to]?.MessageId ?? "")
      .executeTakeFirstOrThrow();
    expect(row.provider_message_id).toBe(submit.messageId);
  });

  it("records the SMSC's delivery receipts as _SMS.SUCCESS and _SMS.FAILURE on the endpoint", async () => {
    const [delivered, undelivered] = [newNumber(), newNumber()];
    const [deliveredEndpoint, undeliveredEndpoint] = [await endpointAt(delivered), await endpointAt(undelivered)];
    smsc.receiptStats.set(undelivered.slice(1), "UNDELIV");
    await t.client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          Endpoints: { [deliveredEndpoint]: {}, [undeliveredEndpoint]: {} },
          MessageConfiguration: { SMSMessage: { Body: "Your parcel ships today", OriginationNumber: ourNumber } },
        },
      }),
    );
    const recorded = async (eventType: string, endpointId: string) =>
      (await events(eventType)).filter((row) => row.endpoint_id === endpointId);
    await waitFor(async () => (await recorded("_SMS.SUCCESS", deliveredEndpoint)).length === 1, "_SMS.SUCCESS");
    await waitFor(async () => (await recorded("_SMS.FAILURE", undeliveredEndpoint)).length === 1, "_SMS.FAILURE");
    expect(attributesOf((await recorded("_SMS.SUCCESS", deliveredEndpoint))[0])).toMatchObject({
      record_status: "DELIVERED",
      destination_phone_number: delivered,
      origination_phone_number: ourNumber,
      provider_message_id: submittedTo(delivered)[0].messageId,
    });
    expect(attributesOf((await recorded("_SMS.FAILURE", undeliveredEndpoint))[0])).toMatchObject({
      record_status: "UNREACHABLE",
      status_message: "SMPP stat:UNDELIV err:000",
    });
    await waitFor(
      () => streamed().some((r) => r.event_type === "_SMS.SUCCESS" && r.client.client_id === deliveredEndpoint),
      "_SMS.SUCCESS on the event stream",
    );
  });

  it("sends text with no GSM code as UCS-2, and long text in parts joined by a concatenation header", async () => {
    const to = newNumber();
    const body = `Привет! ${"Ваш заказ в пути. ".repeat(5)}🚚`;
    const response = await sendTo(to, body);
    expect(response.MessageResponse?.Result?.[to]?.DeliveryStatus).toBe("SUCCESSFUL");
    const parts = submittedTo(to);
    expect(parts).toHaveLength(2);
    expect(parts.map((part) => part.data_coding)).toEqual([8, 8]);
    expect(parts.map((part) => (part.esm_class ?? 0) & 0x40)).toEqual([0x40, 0x40]);
    expect(parts.map((part) => part.registered_delivery)).toEqual([0, 1]);
    const headers = parts.map((part) => [...part.udh[0]]);
    expect(headers[0].slice(0, 2)).toEqual([0x00, 0x03]);
    expect(headers.map((header) => header.slice(3))).toEqual([
      [2, 1],
      [2, 2],
    ]);
    expect(headers[0][2]).toBe(headers[1][2]);
    expect(parts.map((part) => part.message).join("")).toBe(body);
    const row = await db()
      .selectFrom("messages")
      .select("provider_message_id")
      .where("id", "=", response.MessageResponse?.Result?.[to]?.MessageId ?? "")
      .executeTakeFirstOrThrow();
    expect(row.provider_message_id).toBe(parts[1].messageId);
  });

  it("retries a submit the SMSC throttled and fails one to an invalid destination for good", async () => {
    const [throttled, invalid] = [newNumber(), newNumber()];
    smsc.statuses.set(throttled.slice(1), [smpp.errors.ESME_RTHROTTLED]);
    smsc.statuses.set(invalid.slice(1), [smpp.errors.ESME_RINVDSTADR]);
    const refused = await sendTo(invalid, "Hello");
    expect(refused.MessageResponse?.Result?.[invalid]).toMatchObject({
      DeliveryStatus: "PERMANENT_FAILURE",
      StatusCode: 400,
    });

    const message: QueuedMessage = {
      id: randomUUID(),
      sendKey: `test:${randomUUID()}`,
      appId,
      channel: "SMS",
      address: throttled,
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
      db().selectFrom("messages").select(["status", "attempts"]).where("id", "=", message.id).executeTakeFirstOrThrow();
    await waitFor(async () => (await row()).status === "SUCCESSFUL", "the throttled message to go through");
    expect((await row()).attempts).toBe(2);
    expect(submittedTo(throttled)).toHaveLength(1);
  });

  it("records an inbound deliver_sm as _SMS.RECEIVED for the app whose short code it was sent to", async () => {
    const from = newNumber();
    const endpointId = await endpointAt(from);
    const answers = await smsc.deliver({
      source_addr_ton: 1,
      source_addr: from.slice(1),
      destination_addr: shortCode,
      short_message: "Is my order on its way?",
    });
    expect(answers).toEqual([0]);
    const received = (await events("_SMS.RECEIVED")).filter((row) => row.endpoint_id === endpointId);
    expect(received).toHaveLength(1);
    expect(attributesOf(received[0])).toMatchObject({
      origination_phone_number: from,
      destination_phone_number: shortCode,
      message_body: "Is my order on its way?",
    });
    await waitFor(
      () => streamed().some((r) => r.event_type === "_SMS.RECEIVED" && r.client.client_id === endpointId),
      "_SMS.RECEIVED on the event stream",
    );
  });

  it("joins an inbound message that comes in two parts before recording it", async () => {
    const from = newNumber();
    const part = (sequence: number, text: string) => ({
      source_addr_ton: 1,
      source_addr: from.slice(1),
      destination_addr: shortCode,
      short_message: { udh: Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, sequence]), message: text },
    });
    await smsc.deliver(part(2, "second half."));
    expect((await events("_SMS.RECEIVED")).filter((row) => row.endpoint_id === from)).toEqual([]);
    await smsc.deliver(part(1, "First half, "));
    const received = (await events("_SMS.RECEIVED")).filter((row) => row.endpoint_id === from);
    expect(received.map((row) => attributesOf(row).message_body)).toEqual(["First half, second half."]);
  });

  it("opts a number out on STOP over SMPP and answers it on the same link; later sends are OPT_OUT", async () => {
    const from = newNumber();
    const endpointId = await endpointAt(from);
    await smsc.deliver({
      source_addr_ton: 1,
      source_addr: from.slice(1),
      destination_addr: shortCode,
      short_message: "STOP",
    });
    const endpoint = await t.client.send(new GetEndpointCommand({ ApplicationId: appId, EndpointId: endpointId }));
    expect(endpoint.EndpointResponse?.OptOut).toBe("ALL");
    expect(await isOptedOut(db(), appId, "SMS", from)).toBe(true);
    expect((await events("_SMS.OPTOUT")).filter((row) => row.endpoint_id === endpointId)).toHaveLength(1);
    await waitFor(() => submittedTo(from).length === 1, "the STOP reply");
    expect(submittedTo(from)[0]).toMatchObject({
      source_addr: shortCode,
      message: expect.stringContaining("opted out"),
    });

    const later = await sendTo(from, "Spring sale");
    expect(later.MessageResponse?.Result?.[from]?.DeliveryStatus).toBe("OPT_OUT");
    expect(submittedTo(from)).toHaveLength(1);
  });

  it("binds again after the SMSC drops the link, and sends on the new session", async () => {
    smsc.dropAll();
    await waitFor(() => smsc.binds.length >= 2 && smsc.sessions.size === 1, "the second bind", 400);
    const to = newNumber();
    const response = await sendTo(to, "Still here");
    expect(response.MessageResponse?.Result?.[to]?.DeliveryStatus).toBe("SUCCESSFUL");
    expect(submittedTo(to)).toHaveLength(1);
  });

  it("unbinds and closes the session when Waymark shuts down", async () => {
    const own = await startSmsc();
    const other = await startTestServer(kind, {
      providers: { sms: { type: "smpp", url: own.url, systemId, password, systemType: "" } },
    });
    await waitFor(() => own.binds.length === 1 && own.sessions.size === 1, "the bind");
    // Answered only once Waymark has read the bind_resp before it: the session is bound.
    expect(await own.deliver({ source_addr: "15550000000", destination_addr: "0", short_message: "ping" })).toEqual([
      0,
    ]);
    await other.close();
    expect(own.unbinds()).toBe(1);
    await waitFor(() => own.sessions.size === 0, "the session to close");
    await own.close();
  });
});
