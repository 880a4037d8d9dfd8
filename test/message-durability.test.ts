/**
 * A kill -9 in the middle of a 10,000-message send, with a real SMTP server receiving the mail.
 * Messages a provider accepted are never sent again; messages the dead process was handing over
 * when it died cannot be known to have arrived, so they end as UNKNOWN_FAILURE instead of being
 * resent (a duplicate is worse than a gap the operator can see, and resend on purpose).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueMessages, type QueuedMessage } from "../src/messages/outbox/enqueue.js";
import { openStore } from "../src/store/index.js";
import { spawnServer } from "./support/process.js";
import { databases, freshDatabase, type TestDatabase } from "./support/server.js";

const total = 10_000;

describe.each(databases)("a crash during a 10,000-message send on %s", (kind) => {
  const received = new Map<string, number>();
  let sink: SMTPServer;
  let port = 0;
  let database: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), "waymark-crash-"));

  beforeAll(async () => {
    sink = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, _session, callback) {
        let raw = "";
        stream.on("data", (chunk) => {
          raw += chunk;
        });
        stream.on("end", () => {
          const id = /^Message-ID:\s*<waymark-([^@>]+)@/im.exec(raw)?.[1] ?? "unknown";
          received.set(id, (received.get(id) ?? 0) + 1);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
    port = (sink.server.address() as AddressInfo).port;
    database = await freshDatabase(kind);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => sink.close(() => resolve()));
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends no message twice and accounts for every one", async () => {
    const configFile = join(dir, `waymark-${kind}.json`);
    writeFileSync(
      configFile,
      JSON.stringify({ providers: { email: { type: "smtp", url: `smtp://127.0.0.1:${port}`, maxConnections: 4 } } }),
    );
    const env = { WAYMARK_CONFIG: configFile };
    const first = await spawnServer(database.url, env);

    const store = openStore(database.url);
    const appId = "crashapp";
    await store.db
      .insertInto("apps")
      .values({ id: appId, name: "crash", creation_date: new Date().toISOString(), settings: "{}", tags: "{}" })
      .execute();
    const ids: string[] = [];
    for (let i = 0; i < total; i += 2000) {
      const batch: QueuedMessage[] = Array.from({ length: 2000 }, (_, k) => {
        const id = randomUUID();
        ids.push(id);
        return {
          id,
          sendKey: `crash:${i + k}`,
          appId,
          channel: "EMAIL",
          address: `person${i + k}@example.com`,
          content: {
            kind: "email",
            fromAddress: "news@example.com",
            subject: `Issue ${i + k}`,
            textBody: "Hello",
            headers: [],
          },
          origin: { campaignId: "crash" },
          context: {},
          sender: "news@example.com",
          maxAttempts: 5,
        };
      });
      await store.db.transaction().execute((trx) => enqueueMessages(trx, batch));
    }

    while (received.size < 2000) await new Promise((resolve) => setTimeout(resolve, 10));
    await first.crash();
    // The dead process's leases run for two minutes; let that time pass.
    await store.db
      .updateTable("messages")
      .set({ next_attempt_ms: Date.now() - 1 })
      .where("status", "=", "SENDING")
      .execute();
    const second = await spawnServer(database.url, env);
    for (let i = 0; i < 1200; i++) {
      const open = await store.db
        .selectFrom("messages")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("status", "in", ["QUEUED", "SENDING"])
        .executeTakeFirstOrThrow();
      if (Number(open.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await second.stop();
    const rows = await store.db.selectFrom("messages").select(["id", "status"]).where("app_id", "=", appId).execute();
    await store.close();

    const duplicates = [...received.entries()].filter(([, count]) => count > 1);
    expect(duplicates).toEqual([]);
    const byStatus = new Map<string, string[]>();
    for (const row of rows) byStatus.set(row.status, [...(byStatus.get(row.status) ?? []), row.id]);
    expect(rows).toHaveLength(total);
    expect([...byStatus.keys()].every((status) => status === "SUCCESSFUL" || status === "UNKNOWN_FAILURE")).toBe(true);
    // Everything reported sent arrived.
    expect((byStatus.get("SUCCESSFUL") ?? []).filter((id) => !received.has(id))).toEqual([]);
    // What was in the dead process's hands is at most one batch, and is reported, not lost.
    expect((byStatus.get("UNKNOWN_FAILURE") ?? []).length).toBeLessThanOrEqual(500);
    expect(received.size + (byStatus.get("UNKNOWN_FAILURE") ?? []).filter((id) => !received.has(id)).length).toBe(
      total,
    );
  }, 180_000);
});
