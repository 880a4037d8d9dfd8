import { randomUUID } from "node:crypto";
import { CreateAppCommand } from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueMessages, type QueuedMessage } from "../src/messages/outbox/enqueue.js";
import { takeTokens } from "../src/messages/rate-limit.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

describe.each(databases)("the message pipeline on %s", (kind) => {
  let t: TestServer;
  let appId: string;
  beforeAll(async () => {
    t = await startTestServer(kind);
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Pipeline" } }));
    appId = app.ApplicationResponse?.Id ?? "";
  });
  afterAll(() => t.close());

  const email = (n: number, overrides: Partial<QueuedMessage> = {}): QueuedMessage => ({
    id: randomUUID(),
    sendKey: `test:${randomUUID()}:${n}`,
    appId,
    channel: "EMAIL",
    address: `p${n}@example.com`,
    endpointId: `ep-${n}`,
    content: { kind: "email", fromAddress: "news@example.com", subject: `Hello ${n}`, textBody: "Hi", headers: [] },
    origin: { campaignId: "c-1" },
    context: {},
    sender: "news@example.com",
    maxAttempts: 3,
    ...overrides,
  });
  const db = () => t.server.services.store.db;
  const statusOf = async (id: string) =>
    await db().selectFrom("messages").select(["status", "attempts"]).where("id", "=", id).executeTakeFirstOrThrow();
  const waitFor = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("timed out");
  };

  it("delivers queued messages to the sandbox once each and records _email.send", async () => {
    const messages = Array.from({ length: 30 }, (_, i) => email(i));
    await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, messages));
    t.server.services.delivery.wake();
    await waitFor(async () => (await statusOf(messages[29].id)).status === "SUCCESSFUL");
    const sandbox = await db()
      .selectFrom("sandbox_messages")
      .select("message_id")
      .where("app_id", "=", appId)
      .execute();
    expect(sandbox.map((row) => row.message_id).sort()).toEqual(messages.map((m) => m.id).sort());
    const events = await db()
      .selectFrom("events")
      .select(["endpoint_id", "event_type"])
      .where("app_id", "=", appId)
      .where("event_type", "=", "_email.send")
      .execute();
    expect(events).toHaveLength(30);
  });

  it("never queues a send key twice", async () => {
    const first = email(100, { sendKey: "campaign:c-1:activity:ep-100:run-1" });
    const again = email(100, { sendKey: "campaign:c-1:activity:ep-100:run-1" });
    const inserted = await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, [first]));
    const duplicate = await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, [again]));
    expect([...inserted]).toEqual([first.id]);
    expect([...duplicate]).toEqual([]);
  });

  it("delivers a message within the request with deliverNow", async () => {
    const message = email(200, { maxAttempts: 1, notBeforeMs: Date.now() + 60_000 });
    await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, [message]));
    const outcomes = await t.server.services.delivery.deliverNow([message.id]);
    expect(outcomes.get(message.id)?.status).toBe("SUCCESSFUL");
    expect((await statusOf(message.id)).status).toBe("SUCCESSFUL");
  });

  it("after a crash, sends once more only what the sandbox never got, and nothing twice", async () => {
    const reached = email(300);
    const lost = email(301);
    await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, [reached, lost]));
    // A process claimed both, the sandbox got one of them, and the process died.
    await db()
      .updateTable("messages")
      .set({ status: "SENDING", attempts: 1, next_attempt_ms: Date.now() - 1 })
      .where("id", "in", [reached.id, lost.id])
      .execute();
    await db()
      .insertInto("sandbox_messages")
      .values({
        message_id: reached.id,
        app_id: appId,
        channel: "EMAIL",
        address: reached.address,
        content: "{}",
        created_ms: Date.now(),
      })
      .execute();
    // The restart finds them.
    t.client.destroy();
    await t.server.close();
    t = await startTestServer(kind, {}, { database: t.database });
    await waitFor(async () => (await statusOf(lost.id)).status === "SUCCESSFUL");
    expect((await statusOf(reached.id)).status).toBe("SUCCESSFUL");
    const copies = await db()
      .selectFrom("sandbox_messages")
      .select("message_id")
      .where("message_id", "in", [reached.id, lost.id])
      .orderBy("message_id")
      .execute();
    expect(copies.map((copy) => copy.message_id)).toEqual([reached.id, lost.id].sort());
  });

  it("shares one sender's rate between callers through the database", async () => {
    const { store } = t.server.services;
    const now = Date.now();
    const sender = `EMAIL:${randomUUID()}`;
    const first = await takeTokens(store.db, store.dialect, sender, 80, 100, now);
    const second = await takeTokens(store.db, store.dialect, sender, 80, 100, now);
    expect(first + second).toBe(100);
    expect(await takeTokens(store.db, store.dialect, sender, 80, 100, now + 500)).toBe(50);
  });
});
