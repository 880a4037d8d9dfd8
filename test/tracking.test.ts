import { randomBytes, randomUUID } from "node:crypto";
import {
  CreateAppCommand,
  DeleteAppCommand,
  GetEndpointCommand,
  SendMessagesCommand,
  UpdateEndpointCommand,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmailContent } from "../src/messages/model.js";
import { isOptedOut, optedOutAddresses, optIn } from "../src/messages/opt-outs.js";
import { enqueueMessages, type QueuedMessage } from "../src/messages/outbox/enqueue.js";
import type { Services } from "../src/services.js";
import { fromJson } from "../src/store/index.js";
import { instrumentEmail } from "../src/track/instrument.js";
import { linkUrl } from "../src/track/links.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

const publicUrl = "https://mail.example.test";
const html = [
  "<html><body>",
  '<p>Hello! <a href="https://shop.example.com/offer?id=7&amp;ref=mail">See the offer</a></p>',
  '<p><a href="mailto:help@example.com">Write to us</a> or <a href="tel:+14155550100">call</a></p>',
  '<p><a href="https://shop.example.com/view" data-waymark-notrack>View in your browser</a></p>',
  "</body></html>",
].join("\n");

interface RecordedEvent {
  endpointId: string;
  eventId: string;
  attributes: Record<string, string>;
}

/** Sends tracked emails through the pipeline to the sandbox and follows their links like a mail client. */
function tracking(t: () => TestServer) {
  const services = (): Services => t().server.services;
  const db = () => services().store.db;

  /** Instruments, queues and delivers one email; answers its id and the HTML the sandbox received. */
  async function send(appId: string, recipient: { endpointId?: string; address: string }) {
    const message: QueuedMessage = {
      id: randomUUID(),
      sendKey: `test:${randomUUID()}`,
      appId,
      channel: "EMAIL",
      address: recipient.address,
      endpointId: recipient.endpointId,
      content: { kind: "email", fromAddress: "news@example.com", subject: "Offer", htmlBody: html, headers: [] },
      origin: { campaignId: "spring" },
      context: {},
      sender: "news@example.com",
      maxAttempts: 1,
      notBeforeMs: Date.now() + 60_000,
    };
    const instrumented = await instrumentEmail(services(), message);
    await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, [instrumented]));
    const outcomes = await services().delivery.deliverNow([message.id]);
    expect(outcomes.get(message.id)?.status).toBe("SUCCESSFUL");
    return { id: message.id, ...(await received(message.id)) };
  }

  /** What the sandbox holds for a message, with its tracking links made local to the test server. */
  async function received(messageId: string) {
    const row = await db()
      .selectFrom("sandbox_messages")
      .select("content")
      .where("message_id", "=", messageId)
      .executeTakeFirstOrThrow();
    const content = fromJson<EmailContent>(row.content);
    const body = content.htmlBody ?? "";
    const at = (path: string) =>
      [...body.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]).filter((u) => u.includes(path));
    return {
      body,
      pixel: local(at("/t/o/")[0]),
      click: local(at("/t/c/")[0]),
      unsubscribe: local(content.unsubscribeUrl ?? ""),
      clickLinks: at("/t/c/"),
    };
  }

  const local = (link: string) => {
    expect(link.startsWith(`${publicUrl}/t/`)).toBe(true);
    return `${t().url}${new URL(link).pathname}`;
  };

  async function events(appId: string, eventType: string): Promise<RecordedEvent[]> {
    const rows = await db()
      .selectFrom("events")
      .select(["endpoint_id", "event_id", "body"])
      .where("app_id", "=", appId)
      .where("event_type", "=", eventType)
      .orderBy("seq")
      .execute();
    return rows.map((row) => ({
      endpointId: row.endpoint_id,
      eventId: row.event_id,
      attributes: fromJson<{ Attributes: Record<string, string> }>(row.body).Attributes,
    }));
  }

  return { send, received, events, db };
}

describe.each(databases)("tracking links on %s", (kind) => {
  let t: TestServer;
  let appId: string;
  const { send, received, events, db } = tracking(() => t);

  beforeAll(async () => {
    t = await startTestServer(kind, { publicUrl });
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Tracking" } }));
    appId = app.ApplicationResponse?.Id ?? "";
  });
  afterAll(() => t.close());

  const endpoint = async (id: string) => {
    await t.client.send(
      new UpdateEndpointCommand({
        ApplicationId: appId,
        EndpointId: id,
        EndpointRequest: { ChannelType: "EMAIL", Address: `${id}@example.com` },
      }),
    );
    return { endpointId: id, address: `${id}@example.com` };
  };
  const optOutOf = async (endpointId: string) =>
    (await t.client.send(new GetEndpointCommand({ ApplicationId: appId, EndpointId: endpointId }))).EndpointResponse
      ?.OptOut;

  it("the open pixel answers a transparent GIF that is never cached and records _email.open per open", async () => {
    const recipient = await endpoint("open-1");
    const { id, pixel } = await send(appId, recipient);
    expect(pixel).toMatch(/\/t\/o\/[\w-]+\.[\w-]+\.gif$/);

    const response = await fetch(pixel);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/gif");
    expect(response.headers.get("cache-control")).toContain("no-store");
    const gif = Buffer.from(await response.arrayBuffer());
    expect(gif.subarray(0, 6).toString("latin1")).toBe("GIF89a");
    expect(gif.readUInt16LE(6)).toBe(1);
    expect(gif.readUInt16LE(8)).toBe(1);

    await fetch(pixel);
    expect((await fetch(pixel, { method: "HEAD" })).status).toBe(200);
    const opens = (await events(appId, "_email.open")).filter((e) => e.attributes.message_id === id);
    expect(opens).toHaveLength(2);
    expect(opens.map((e) => e.endpointId)).toEqual(["open-1", "open-1"]);
    expect(opens[0]).toMatchObject({
      eventId: `${id}:_email.open`,
      attributes: { feedback: "opened", campaign_id: "spring" },
    });
    expect(opens[1].eventId).not.toBe(opens[0].eventId);
  });

  it("a rewritten link redirects to the original URL and records _email.click with the link", async () => {
    const recipient = await endpoint("click-1");
    const { id, click } = await send(appId, recipient);

    const response = await fetch(click, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://shop.example.com/offer?id=7&ref=mail");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const clicks = (await events(appId, "_email.click")).filter((e) => e.attributes.message_id === id);
    expect(clicks).toEqual([
      {
        endpointId: "click-1",
        eventId: `${id}:_email.click`,
        attributes: {
          message_id: id,
          campaign_id: "spring",
          feedback: "https://shop.example.com/offer?id=7&ref=mail",
        },
      },
    ]);
  });

  it("leaves mailto, tel and notrack links as the author wrote them and tracks only the web link", async () => {
    const { body, clickLinks } = await send(appId, await endpoint("untouched-1"));
    expect(body).toContain('<a href="mailto:help@example.com">Write to us</a>');
    expect(body).toContain('<a href="tel:+14155550100">call</a>');
    expect(body).toContain('<a href="https://shop.example.com/view" data-waymark-notrack>View in your browser</a>');
    expect(body).not.toContain("shop.example.com/offer");
    expect(clickLinks).toHaveLength(1);
  });

  it("a one-click unsubscribe opts the endpoint out of everything and records _email.unsubscribe once", async () => {
    const recipient = await endpoint("unsubscribe-1");
    const { id, unsubscribe } = await send(appId, recipient);
    expect(await optOutOf("unsubscribe-1")).toBe("NONE");

    const oneClick = await fetch(unsubscribe, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.status).toBe(200);
    expect(await optOutOf("unsubscribe-1")).toBe("ALL");

    // RFC 8058's own example is multipart; a second request (the page's button, a retry) changes nothing.
    const form = new FormData();
    form.set("List-Unsubscribe", "One-Click");
    expect((await fetch(unsubscribe, { method: "POST", body: form })).status).toBe(200);
    const unsubscribes = (await events(appId, "_email.unsubscribe")).filter((e) => e.attributes.message_id === id);
    expect(unsubscribes).toEqual([
      {
        endpointId: "unsubscribe-1",
        eventId: `${id}:_email.unsubscribe`,
        attributes: { message_id: id, campaign_id: "spring", feedback: "unsubscribed" },
      },
    ]);
  });

  it("the unsubscribe page asks first: a GET shows the button and changes nothing", async () => {
    const { id, unsubscribe } = await send(appId, await endpoint("page-1"));
    const response = await fetch(unsubscribe);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const page = await response.text();
    expect(page).toContain('<form method="post">');
    expect(page).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect(await optOutOf("page-1")).toBe("NONE");
    expect((await events(appId, "_email.unsubscribe")).filter((e) => e.attributes.message_id === id)).toEqual([]);
  });

  it("refuses an unsubscribe POST without List-Unsubscribe=One-Click and changes nothing", async () => {
    const { unsubscribe } = await send(appId, await endpoint("no-one-click"));
    const response = await fetch(unsubscribe, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=Maybe",
    });
    expect(response.status).toBe(400);
    expect(await optOutOf("no-one-click")).toBe("NONE");
  });

  it("an email sent to a bare address opts the address out, which senders can look up", async () => {
    const address = "Bare.Person@Example.com";
    const { id, unsubscribe } = await send(appId, { address });
    expect(await isOptedOut(db(), appId, "EMAIL", address)).toBe(false);
    const response = await fetch(unsubscribe, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(response.status).toBe(200);
    expect(await isOptedOut(db(), appId, "EMAIL", "bare.person@example.com")).toBe(true);
    expect(await isOptedOut(db(), appId, "SMS", address)).toBe(false);
    expect(await optedOutAddresses(db(), appId, "EMAIL", [address, "other@example.com"])).toEqual(new Set([address]));
    const [event] = (await events(appId, "_email.unsubscribe")).filter((e) => e.attributes.message_id === id);
    expect(event.endpointId).toBe(address);

    expect(await optIn(db(), appId, "EMAIL", address)).toBe(true);
    expect(await isOptedOut(db(), appId, "EMAIL", address)).toBe(false);
    expect(await optIn(db(), appId, "EMAIL", address)).toBe(false);
  });

  it("tracks direct sends: SendMessages through the API instruments the emails it sends", async () => {
    await endpoint("direct-1");
    const response = await t.client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          Endpoints: { "direct-1": {} },
          MessageConfiguration: {
            EmailMessage: {
              FromAddress: "news@example.com",
              SimpleEmail: { Subject: { Data: "Hi" }, HtmlPart: { Data: html } },
            },
          },
        },
      }),
    );
    const result = response.MessageResponse?.EndpointResult?.["direct-1"];
    expect(result?.DeliveryStatus).toBe("SUCCESSFUL");
    const messageId = result?.MessageId ?? "";
    const { click, unsubscribe } = await received(messageId);
    const redirect = await fetch(click, { redirect: "manual" });
    expect(redirect.headers.get("location")).toBe("https://shop.example.com/offer?id=7&ref=mail");
    const [event] = (await events(appId, "_email.click")).filter((e) => e.attributes.message_id === messageId);
    expect(event.endpointId).toBe("direct-1");
    const oneClick = await fetch(unsubscribe, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.status).toBe(200);
    const again = await t.client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          Endpoints: { "direct-1": {} },
          MessageConfiguration: { EmailMessage: { FromAddress: "news@example.com", Body: "Hi again" } },
        },
      }),
    );
    expect(again.MessageResponse?.EndpointResult?.["direct-1"]?.DeliveryStatus).toBe("OPT_OUT");
  });

  it("answers every link it will not honour with the same 404 and records nothing", async () => {
    const { pixel, click, unsubscribe } = await send(appId, await endpoint("tamper-1"));
    const gone = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Gone" } }));
    const goneId = gone.ApplicationResponse?.Id ?? "";
    const goneLink = (await send(goneId, { address: "gone@example.com" })).pixel;
    await t.client.send(new DeleteAppCommand({ ApplicationId: goneId }));

    const token = (url: string, path: string) => url.slice(url.indexOf(path) + path.length);
    const clickToken = token(click, "/t/c/");
    const [payload, signature] = clickToken.split(".");
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);
    const foreign = linkUrl(publicUrl, randomBytes(32), {
      kind: "click",
      appId,
      messageId: randomUUID(),
      endpointId: "tamper-1",
      url: "https://evil.example.com",
      index: 0,
    });
    const refused: Array<[string, string]> = [
      ["GET", `${t.url}/t/c/${flip(payload, 5)}.${signature}`],
      ["GET", `${t.url}/t/c/${payload}.${flip(signature, 3)}`],
      ["GET", `${t.url}/t/c/${payload}`],
      ["GET", `${t.url}/t/c/not-a-token`],
      ["GET", `${t.url}${new URL(foreign).pathname}`],
      ["GET", `${t.url}/t/c/${token(pixel, "/t/o/").replace(/\.gif$/, "")}`],
      ["GET", pixel.replace(/\.gif$/, "")],
      ["GET", `${t.url}/t/o/${clickToken}.gif`],
      ["GET", goneLink],
      ["GET", `${t.url}/t/u/${clickToken}`],
      ["POST", `${t.url}/t/u/${flip(token(unsubscribe, "/t/u/"), 2)}`],
    ];
    const before = await db()
      .selectFrom("events")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    const answers = await Promise.all(
      refused.map(async ([method, url]) => {
        const response = await fetch(url, {
          method,
          redirect: "manual",
          ...(method === "POST"
            ? {
                headers: { "content-type": "application/x-www-form-urlencoded" },
                body: "List-Unsubscribe=One-Click",
              }
            : {}),
        });
        return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
      }),
    );
    for (const answer of answers)
      expect(answer).toEqual({ status: 404, type: "text/plain; charset=utf-8", body: "Not found" });
    const after = await db()
      .selectFrom("events")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    expect(Number(after.count)).toBe(Number(before.count));
    expect(await optOutOf("tamper-1")).toBe("NONE");
  });
});

describe.each(databases)("the link signing secret on %s", (kind) => {
  it("survives a restart on the same database, so links already sent keep working", async () => {
    const first = await startTestServer(kind, { publicUrl });
    const app = await first.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Restart" } }));
    const appId = app.ApplicationResponse?.Id ?? "";
    const before = tracking(() => first);
    const { id, pixel } = await before.send(appId, { address: "restart@example.com" });
    const path = new URL(pixel).pathname;
    first.client.destroy();
    await first.server.close();

    const second = await startTestServer(kind, { publicUrl }, { database: first.database });
    try {
      const response = await fetch(`${second.url}${path}`);
      expect(response.status).toBe(200);
      const opens = await tracking(() => second).events(appId, "_email.open");
      expect(opens.map((e) => e.attributes.message_id)).toEqual([id]);
      const stored = await second.server.services.store.db
        .selectFrom("waymark_settings")
        .select("name")
        .where("name", "=", "signing_secret")
        .execute();
      expect(stored).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});
