import { randomUUID } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, createServer } from "node:net";
import {
  CreateAppCommand,
  GetEndpointCommand,
  SendMessagesCommand,
  UpdateEndpointCommand,
} from "@aws-sdk/client-pinpoint";
import { type ParsedMail, simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmailContent } from "../src/messages/model.js";
import { enqueueMessages, type QueuedMessage } from "../src/messages/outbox/enqueue.js";
import { fromJson } from "../src/store/index.js";
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
    /** Ends every connection from the server's side, as a server restarting or timing clients out does. */
    dropConnections: () => {
      for (const connection of server.connections) connection.close();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Sink = Awaited<ReturnType<typeof startSink>>;

/** A port nothing listens on, for the bounce listener (its port comes from the environment). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const webhookSecret = "webhook-secret-for-tests";

/** A delivery status notification (RFC 3464) about one recipient, quoting the original's headers. */
function deliveryStatusNotification(original: { messageId: string; to: string }, status: string, action: string) {
  return [
    "From: Mail Delivery System <MAILER-DAEMON@mx.mail.example>",
    "To: bounces@shop.example",
    "Subject: Undelivered Mail Returned to Sender",
    "Date: Mon, 02 Mar 2026 10:00:00 +0000",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-boundary"',
    "",
    "--dsn-boundary",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "Your message could not be delivered.",
    "",
    "--dsn-boundary",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.mail.example",
    "Arrival-Date: Mon, 02 Mar 2026 09:59:58 +0000",
    "",
    `Final-Recipient: rfc822; ${original.to}`,
    `Action: ${action}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${status.startsWith("5") ? "550" : "452"} ${status} mailbox problem`,
    "",
    "--dsn-boundary",
    "Content-Type: text/rfc822-headers",
    "",
    "From: Shop <news@shop.example>",
    `To: ${original.to}`,
    "Subject: Spring sale",
    `Message-ID: ${original.messageId}`,
    "",
    "--dsn-boundary--",
    "",
  ].join("\r\n");
}

/** An abuse report (RFC 5965 ARF) carrying the original message. */
function abuseReport(original: { messageId: string; to: string }) {
  return [
    "From: Feedback Loop <fbl@isp.example>",
    "To: abuse@shop.example",
    "Subject: FW: Spring sale",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=feedback-report; boundary="arf-boundary"',
    "",
    "--arf-boundary",
    "Content-Type: text/plain",
    "",
    "This is an email abuse report.",
    "",
    "--arf-boundary",
    "Content-Type: message/feedback-report",
    "",
    "Feedback-Type: abuse",
    "User-Agent: ExampleFBL/1.0",
    "Version: 1",
    `Original-Rcpt-To: ${original.to}`,
    "",
    "--arf-boundary",
    "Content-Type: message/rfc822",
    "",
    "From: Shop <news@shop.example>",
    `To: ${original.to}`,
    "Subject: Spring sale",
    `Message-ID: ${original.messageId}`,
    "",
    "Hello there",
    "",
    "--arf-boundary--",
    "",
  ].join("\r\n");
}

describe.each(databases)("email over SMTP on %s", (kind) => {
  let t: TestServer;
  let sink: Sink;
  let appId: string;
  let bouncePort: number;
  beforeAll(async () => {
    sink = await startSink();
    bouncePort = await freePort();
    t = await startTestServer(kind, {
      providers: { email: { type: "smtp", url: sink.url, maxConnections: 2 } },
      bounceSmtp: { host: "127.0.0.1", port: bouncePort },
      webhookSecret,
    });
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

  it("SendMessages delivers over SMTP within the request and answers each address's outcome", async () => {
    const reader = `api-reader-${randomUUID()}@mail.example`;
    const gone = `gone-${randomUUID()}@mail.example`;
    const answer = await t.client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          Addresses: { [reader]: { ChannelType: "EMAIL" }, [gone]: { ChannelType: "EMAIL" } },
          MessageConfiguration: {
            EmailMessage: {
              FromAddress: "Shop <news@shop.example>",
              SimpleEmail: {
                Subject: { Data: "Your receipt" },
                TextPart: { Data: "Thank you" },
                Headers: [{ Name: "X-Order", Value: "1234" }],
              },
            },
          },
        },
      }),
    );
    const result = answer.MessageResponse?.Result ?? {};
    expect(result[reader]).toMatchObject({ DeliveryStatus: "SUCCESSFUL", StatusCode: 200 });
    expect(result[gone]).toMatchObject({ DeliveryStatus: "PERMANENT_FAILURE" });
    const mail = sink.received.find((r) => r.to.includes(reader))?.mail;
    expect(mail?.subject).toBe("Your receipt");
    expect(mail?.headers.get("x-order")).toBe("1234");
    expect(mail?.messageId).toBe(`<waymark-${result[reader]?.MessageId}@shop.example>`);
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

  it("a connection the server dropped is not used again: the next message goes out at its first attempt", async () => {
    const first = email(`before-drop-${randomUUID()}@mail.example`);
    await enqueue([first]);
    await waitForFinal(first.id);
    sink.dropConnections();
    const second = email(`after-drop-${randomUUID()}@mail.example`);
    await enqueue([second]);
    await waitForFinal(second.id);
    expect(await messageRow(second.id)).toMatchObject({ status: "SUCCESSFUL", attempts: 1 });
    expect(sink.received.filter((r) => r.to.includes(second.address))).toHaveLength(1);
  });

  it("an SMTP server that cannot be reached is a TEMPORARY_FAILURE whose message does not reveal the credentials", async () => {
    const unreachable = await startTestServer(kind, {
      providers: {
        email: { type: "smtp", url: `smtp://mailer:hidden-pass@127.0.0.1:${await freePort()}`, maxConnections: 1 },
      },
    });
    try {
      const created = await unreachable.client.send(
        new CreateAppCommand({ CreateApplicationRequest: { Name: "Down" } }),
      );
      // Not due for a minute: this request delivers it, not the background loop.
      const message = email("reader@mail.example", {
        appId: created.ApplicationResponse?.Id ?? "",
        maxAttempts: 1,
        notBeforeMs: Date.now() + 60_000,
      });
      const store = unreachable.server.services.store;
      await store.db.transaction().execute((trx) => enqueueMessages(trx, [message]));
      const outcome = (await unreachable.server.services.delivery.deliverNow([message.id])).get(message.id);
      expect(outcome?.status).toBe("TEMPORARY_FAILURE");
      expect(outcome?.statusMessage).toMatch(/ECONNREFUSED|connect/i);
      expect(outcome?.statusMessage).not.toContain("hidden-pass");
    } finally {
      await unreachable.close();
    }
  });

  /** Sends a message through the pipeline to a new endpoint; answers it once the sink has it. */
  const sendOne = async (prefix: string) => {
    const address = `${prefix}-${randomUUID()}@mail.example`;
    await addEndpoint(address);
    const message = email(address);
    await enqueue([message]);
    await waitForFinal(message.id);
    expect((await messageRow(message.id)).status).toBe("SUCCESSFUL");
    return { message, address, messageId: `<waymark-${message.id}@shop.example>` };
  };
  const mailToBounceListener = async (raw: string) => {
    const transport = nodemailer.createTransport({ host: "127.0.0.1", port: bouncePort, ignoreTLS: true });
    try {
      await transport.sendMail({ envelope: { from: "", to: ["bounces@shop.example"] }, raw });
    } finally {
      transport.close();
    }
  };
  const eventsOf = async (messageId: string) => {
    const rows = await db()
      .selectFrom("events")
      .select(["event_type", "endpoint_id", "body"])
      .where("app_id", "=", appId)
      .execute();
    return rows
      .map((row) => ({ ...row, attributes: fromJson<{ Attributes: Record<string, string> }>(row.body).Attributes }))
      .filter((row) => row.attributes.message_id === messageId);
  };
  const waitForEvent = async (messageId: string, eventType: string) => {
    await waitFor(async () => (await eventsOf(messageId)).some((e) => e.event_type === eventType));
    return (await eventsOf(messageId)).find((e) => e.event_type === eventType);
  };

  it("a DSN with a 5.x.x status mailed to the bounce listener records _email.hardbounce and retires the endpoint", async () => {
    const { message, address, messageId } = await sendOne("bounced");
    await mailToBounceListener(deliveryStatusNotification({ messageId, to: address }, "5.1.1", "failed"));
    const event = await waitForEvent(message.id, "_email.hardbounce");
    expect(event?.endpoint_id).toBe(`ep-${address}`);
    expect(event?.attributes).toMatchObject({
      campaign_id: "c-1",
      feedback: "bounced",
      destination: address,
      bounce_type: "Permanent",
      status: "5.1.1",
      diagnostic_code: "550 5.1.1 mailbox problem",
      reporting_mta: "mx.mail.example",
    });
    expect(await endpointStatus(address)).toBe("INACTIVE");
  });

  it("a DSN with a 4.x.x status records _email.softbounce and leaves the endpoint active", async () => {
    const { message, address, messageId } = await sendOne("full");
    await mailToBounceListener(deliveryStatusNotification({ messageId, to: address }, "4.2.2", "delayed"));
    const event = await waitForEvent(message.id, "_email.softbounce");
    expect(event?.attributes).toMatchObject({ bounce_type: "Transient", status: "4.2.2" });
    expect(await endpointStatus(address)).toBe("ACTIVE");
  });

  it("the same DSN received twice records one event", async () => {
    const { message, address, messageId } = await sendOne("twice");
    const report = deliveryStatusNotification({ messageId, to: address }, "5.1.1", "failed");
    await mailToBounceListener(report);
    await waitForEvent(message.id, "_email.hardbounce");
    await mailToBounceListener(report);
    const sent = await sendOne("marker");
    await mailToBounceListener(
      deliveryStatusNotification({ messageId: sent.messageId, to: sent.address }, "5.1.1", "failed"),
    );
    await waitForEvent(sent.message.id, "_email.hardbounce");
    expect((await eventsOf(message.id)).filter((e) => e.event_type === "_email.hardbounce")).toHaveLength(1);
  });

  it("an ARF abuse report records _email.complaint and retires the endpoint", async () => {
    const { message, address, messageId } = await sendOne("complainer");
    await mailToBounceListener(abuseReport({ messageId, to: address }));
    const event = await waitForEvent(message.id, "_email.complaint");
    expect(event?.attributes).toMatchObject({
      feedback: "complained",
      complaint_feedback_type: "abuse",
      user_agent: "ExampleFBL/1.0",
    });
    expect(await endpointStatus(address)).toBe("INACTIVE");
  });

  it("mail that is not a report, or is about a message Waymark never sent, is accepted and changes nothing", async () => {
    const before = await db().selectFrom("events").select("seq").where("app_id", "=", appId).execute();
    await mailToBounceListener("From: someone@else.example\r\nSubject: hi\r\n\r\nJust mail\r\n");
    await mailToBounceListener(
      deliveryStatusNotification(
        { messageId: "<waymark-unknown@shop.example>", to: "x@mail.example" },
        "5.1.1",
        "failed",
      ),
    );
    const after = await db().selectFrom("events").select("seq").where("app_id", "=", appId).execute();
    expect(after).toHaveLength(before.length);
  });

  const postWebhook = (body: unknown, headers: Record<string, string>) =>
    fetch(`${t.url}/webhooks/email/events`, {
      method: "POST",
      headers: { "content-type": "text/plain; charset=UTF-8", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const sesMail = (messageId: string, address: string) => ({
    timestamp: "2026-03-02T10:00:00.000Z",
    messageId: "0100018e1a2b3c4d-ses-000000",
    source: "news@shop.example",
    destination: [address],
    headersTruncated: false,
    headers: [
      { name: "From", value: "Shop <news@shop.example>" },
      { name: "To", value: address },
      { name: "Message-ID", value: messageId },
    ],
    commonHeaders: {
      from: ["Shop <news@shop.example>"],
      to: [address],
      messageId: "<0100018e1a2b3c4d@email.amazonses.com>",
    },
  });
  const snsNotification = (message: unknown) => ({
    Type: "Notification",
    MessageId: randomUUID(),
    TopicArn: "arn:aws:sns:us-east-1:123456789012:ses-feedback",
    Message: JSON.stringify(message),
    Timestamp: "2026-03-02T10:00:01.000Z",
  });

  it("SES bounce, complaint and delivery notifications posted by SNS record their events", async () => {
    const bounced = await sendOne("ses-bounce");
    const complained = await sendOne("ses-complaint");
    const delivered = await sendOne("ses-delivery");
    const auth = { authorization: `Basic ${Buffer.from(`waymark:${webhookSecret}`).toString("base64")}` };
    const answers = await Promise.all([
      postWebhook(
        snsNotification({
          notificationType: "Bounce",
          mail: sesMail(bounced.messageId, bounced.address),
          bounce: {
            bounceType: "Permanent",
            bounceSubType: "General",
            bouncedRecipients: [
              {
                emailAddress: bounced.address,
                action: "failed",
                status: "5.1.1",
                diagnosticCode: "smtp; 550 5.1.1 unknown",
              },
            ],
            timestamp: "2026-03-02T10:00:00.500Z",
            feedbackId: "fb-1",
          },
        }),
        auth,
      ),
      postWebhook(
        snsNotification({
          notificationType: "Complaint",
          mail: sesMail(complained.messageId, complained.address),
          complaint: {
            complainedRecipients: [{ emailAddress: complained.address }],
            complaintFeedbackType: "abuse",
            timestamp: "2026-03-02T10:00:00.500Z",
            feedbackId: "fb-2",
          },
        }),
        { "x-waymark-webhook-secret": webhookSecret },
      ),
      postWebhook(
        {
          notificationType: "Delivery",
          mail: sesMail(delivered.messageId, delivered.address),
          delivery: {
            timestamp: "2026-03-02T10:00:00.500Z",
            recipients: [delivered.address],
            smtpResponse: "250 ok: Message accepted",
            reportingMTA: "a8-53.smtp-out.amazonses.com",
            processingTimeMillis: 1310,
          },
        },
        { "x-waymark-webhook-secret": webhookSecret },
      ),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await Promise.all(answers.map((a) => a.json()))).toEqual([
      { recorded: 1 },
      { recorded: 1 },
      { recorded: 1 },
    ]);

    const bounce = await waitForEvent(bounced.message.id, "_email.hardbounce");
    expect(bounce?.attributes).toMatchObject({ bounce_type: "Permanent", bounce_sub_type: "General", status: "5.1.1" });
    expect(await endpointStatus(bounced.address)).toBe("INACTIVE");
    const complaint = await waitForEvent(complained.message.id, "_email.complaint");
    expect(complaint?.attributes).toMatchObject({ complaint_feedback_type: "abuse" });
    expect(await endpointStatus(complained.address)).toBe("INACTIVE");
    const delivery = await waitForEvent(delivered.message.id, "_email.delivered");
    expect(delivery?.attributes).toMatchObject({ feedback: "delivered", smtp_response: "250 ok: Message accepted" });
    expect(await endpointStatus(delivered.address)).toBe("ACTIVE");
  });

  it("the webhook confirms an SNS subscription by visiting its SubscribeURL", async () => {
    let visited = "";
    const sns = createHttpServer((request, response) => {
      visited = request.url ?? "";
      response.end("<ConfirmSubscriptionResponse/>");
    });
    await new Promise<void>((resolve) => sns.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = sns.address() as AddressInfo;
      const answer = await postWebhook(
        {
          Type: "SubscriptionConfirmation",
          Token: "token-1",
          SubscribeURL: `http://127.0.0.1:${port}/?Action=ConfirmSubscription&Token=token-1`,
        },
        { "x-waymark-webhook-secret": webhookSecret },
      );
      expect(answer.status).toBe(200);
      expect(visited).toBe("/?Action=ConfirmSubscription&Token=token-1");
    } finally {
      await new Promise((resolve) => sns.close(resolve));
    }
  });

  it("the webhook refuses a missing or wrong secret and records nothing", async () => {
    const { message, address, messageId } = await sendOne("forged");
    const notification = {
      notificationType: "Bounce",
      mail: sesMail(messageId, address),
      bounce: { bounceType: "Permanent", bouncedRecipients: [{ emailAddress: address }] },
    };
    const wrongHeader = await postWebhook(notification, { "x-waymark-webhook-secret": "guess" });
    const wrongBasic = await postWebhook(notification, {
      authorization: `Basic ${Buffer.from("waymark:guess").toString("base64")}`,
    });
    const none = await postWebhook(notification, {});
    expect([wrongHeader.status, wrongBasic.status, none.status]).toEqual([403, 403, 403]);
    expect(await eventsOf(message.id)).toHaveLength(1);
    expect(await endpointStatus(address)).toBe("ACTIVE");
  });

  it("the webhook answers 400 to a body that is not an SES notification", async () => {
    const headers = { "x-waymark-webhook-secret": webhookSecret };
    expect((await postWebhook("not json", headers)).status).toBe(400);
    expect((await postWebhook({ hello: "world" }, headers)).status).toBe(400);
  });
});
