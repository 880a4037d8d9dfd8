import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { CreateAppCommand, GetEndpointCommand, UpdateEndpointCommand } from "@aws-sdk/client-pinpoint";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmailContent } from "../src/messages/model.js";
import { enqueueMessages, type QueuedMessage } from "../src/messages/outbox/enqueue.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

/** What the sink received: the envelope and the parsed message. */
interface Received {
  from: string;
  to: string[];
  mail: ParsedMail;
}

/**
 * A real SMTP server standing in for the provider. It requires the credentials from the URL, and
 * answers RCPT TO by the mailbox: `gone-*` is refused for good (550), `busy-*` is deferred (451)
 * the first time it is tried.
 */
async function startSink() {
  const received: Received[] = [];
  const deferred = new Set<string>();
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "mailer" && auth.password === "s3cret-pass") return callback(null, { user: "mailer" });
      callback(new Error("Invalid credentials"));
    },
    onRcptTo(address, _session, callback) {
      const mailbox = address.address;
      if (mailbox.startsWith("gone-")) {
        return callback(Object.assign(new Error("5.1.1 No such user"), { responseCode: 550 }));
      }
      if (mailbox.startsWith("busy-") && !deferred.has(mailbox)) {
        deferred.add(mailbox);
        return callback(Object.assign(new Error("4.2.0 Try again later"), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            mail,
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://mailer:s3cret-pass@127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Sink = Awaited<ReturnType<typeof startSink>>;

describe.each(databases)("email over SMTP on %s", (kind) => {
  let t: TestServer;
  let sink: Sink;
  let appId: string;
  beforeAll(async () => {
    sink = await startSink();
    t = await startTestServer(kind, { providers: { email: { type: "smtp", url: sink.url, maxConnections: 2 } } });
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Email" } }));
    appId = app.ApplicationResponse?.Id ?? "";
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const db = () => t.server.services.store.db;
  const content = (overrides: Partial<EmailContent> = {}): EmailContent => ({
    kind: "email",
    fromAddress: "Shop <news@shop.example>",
    subject: "Spring sale",
    htmlBody: "<p>Hello <b>there</b></p>",
    textBody: "Hello there",
    headers: [],
    ...overrides,
  });
  const email = (address: string, overrides: Partial<QueuedMessage> = {}): QueuedMessage => ({
    id: randomUUID(),
    sendKey: `test:${randomUUID()}`,
    appId,
    channel: "EMAIL",
    address,
    endpointId: `ep-${address}`,
    content: content(),
    origin: { campaignId: "c-1" },
    context: {},
    sender: "news@shop.example",
    maxAttempts: 3,
    ...overrides,
  });
  const enqueue = async (messages: QueuedMessage[]) => {
    await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, messages));
    t.server.services.delivery.wake();
  };
  const messageRow = (id: string) =>
    db()
      .selectFrom("messages")
      .select(["status", "attempts", "status_message", "provider_message_id"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
  const waitFor = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("timed out");
  };
  const waitForFinal = (id: string) =>
    waitFor(async () => !["QUEUED", "SENDING"].includes((await messageRow(id)).status));
  const addEndpoint = async (address: string) => {
    await t.client.send(
      new UpdateEndpointCommand({
        ApplicationId: appId,
        EndpointId: `ep-${address}`,
        EndpointRequest: { ChannelType: "EMAIL", Address: address },
      }),
    );
  };
  const endpointStatus = async (address: string) => {
    const found = await t.client.send(new GetEndpointCommand({ ApplicationId: appId, EndpointId: `ep-${address}` }));
    return found.EndpointResponse?.EndpointStatus;
  };

  it("delivers the message with its From, To, Subject, bodies, headers and Waymark's Message-ID", async () => {
    const address = `reader-${randomUUID()}@mail.example`;
    const message = email(address, {
      content: content({
        headers: [{ name: "X-Campaign", value: "spring" }],
        replyTo: ["help@shop.example"],
        unsubscribeUrl: "https://waymark.example/t/u/abc?sig=xyz",
      }),
    });
    await enqueue([message]);
    await waitForFinal(message.id);

    const row = await messageRow(message.id);
    expect(row.status).toBe("SUCCESSFUL");
    expect(row.provider_message_id).toBe(`<waymark-${message.id}@shop.example>`);
    const got = sink.received.find((r) => r.to.includes(address));
    expect(got?.from).toBe("news@shop.example");
    const mail = got?.mail;
    expect(mail?.from?.value[0]).toMatchObject({ address: "news@shop.example", name: "Shop" });
    expect(mail?.subject).toBe("Spring sale");
    expect(mail?.text?.trim()).toBe("Hello there");
    expect(mail?.html).toContain("<p>Hello <b>there</b></p>");
    expect(mail?.messageId).toBe(`<waymark-${message.id}@shop.example>`);
    expect(mail?.headers.get("x-campaign")).toBe("spring");
    expect(mail?.replyTo?.value[0]?.address).toBe("help@shop.example");
    expect(mail?.headerLines.find((h) => h.key === "list-unsubscribe")?.line).toBe(
      "List-Unsubscribe: <https://waymark.example/t/u/abc?sig=xyz>",
    );
    expect(mail?.headerLines.find((h) => h.key === "list-unsubscribe-post")?.line).toBe(
      "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
    );
  });

  it("sends a raw MIME message as it is, adding only its Message-ID", async () => {
    const address = `raw-${randomUUID()}@mail.example`;
    const raw = [
      "From: news@shop.example",
      `To: ${address}`,
      "Subject: Raw hello",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Raw body",
    ].join("\r\n");
    const message = email(address, { content: content({ raw }) });
    await enqueue([message]);
    await waitForFinal(message.id);
    expect((await messageRow(message.id)).status).toBe("SUCCESSFUL");
    const mail = sink.received.find((r) => r.to.includes(address))?.mail;
    expect(mail?.subject).toBe("Raw hello");
    expect(mail?.text?.trim()).toBe("Raw body");
    expect(mail?.messageId).toBe(`<waymark-${message.id}@shop.example>`);
  });

  it("sends a batch concurrently through the pool, one outcome each", async () => {
    const messages = Array.from({ length: 40 }, (_, i) => email(`batch-${i}-${randomUUID()}@mail.example`));
    await enqueue(messages);
    for (const message of messages) await waitForFinal(message.id);
    for (const message of messages) expect((await messageRow(message.id)).status).toBe("SUCCESSFUL");
    const addresses = new Set(sink.received.flatMap((r) => r.to));
    for (const message of messages) expect(addresses.has(message.address)).toBe(true);
  });

  it("a mailbox refused with 550 is a PERMANENT_FAILURE and retires its endpoint", async () => {
    const address = `gone-${randomUUID()}@mail.example`;
    await addEndpoint(address);
    const message = email(address);
    await enqueue([message]);
    await waitForFinal(message.id);
    const row = await messageRow(message.id);
    expect(row.status).toBe("PERMANENT_FAILURE");
    expect(row.attempts).toBe(1);
    expect(row.status_message).toContain("550");
    expect(await endpointStatus(address)).toBe("INACTIVE");
    const rejected = await db()
      .selectFrom("events")
      .select("event_type")
      .where("app_id", "=", appId)
      .where("endpoint_id", "=", `ep-${address}`)
      .execute();
    expect(rejected.map((e) => e.event_type)).toEqual(["_email.rejected"]);
  });

  it("a 451 is a TEMPORARY_FAILURE, retried later until the server takes the message", async () => {
    const address = `busy-${randomUUID()}@mail.example`;
    await addEndpoint(address);
    const message = email(address);
    await enqueue([message]);
    await waitFor(async () => {
      const row = await messageRow(message.id);
      return row.status === "QUEUED" && row.attempts === 1;
    });
    expect((await messageRow(message.id)).status_message).toContain("451");
    await waitForFinal(message.id);
    const row = await messageRow(message.id);
    expect(row.status).toBe("SUCCESSFUL");
    expect(row.attempts).toBe(2);
    expect(sink.received.filter((r) => r.to.includes(address))).toHaveLength(1);
    expect(await endpointStatus(address)).toBe("ACTIVE");
  });
});
