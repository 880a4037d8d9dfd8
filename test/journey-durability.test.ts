/**
 * A real `waymark start` killed with kill -9 in the middle of a journey's work, then started
 * again on the same database: (a) while a broadcast fans out to 15,000 endpoints and the engine
 * sends them their email, (b) while the engine sends a message activity to 6,000 participants
 * woken together. After the restart settles, everyone entered once and got exactly one email: the
 * outbox holds one message per participant, and the sandbox (where email goes without a provider)
 * one per address.
 */
import { existsSync } from "node:fs";
import { CreateEmailTemplateCommand, PinpointClient, type WriteJourneyRequest } from "@aws-sdk/client-pinpoint";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromJson, openStore, type Store } from "../src/store/index.js";
import { broadcastJourney, emailActivity } from "./support/journey-definitions.js";
import {
  createApp,
  endpointIds,
  executionMetrics,
  planSegment,
  publishJourney,
  runs,
  type WaymarkUnderTest,
  writeAudience,
} from "./support/journeys.js";
import { pollUntil } from "./support/poll.js";
import { cliPath, type ServerProcess, spawnServer } from "./support/process.js";
import { databases, freshDatabase, type TestDatabase, testCredentials } from "./support/server.js";
import { signedFetch } from "./support/signed-fetch.js";

const count = async (query: { executeTakeFirstOrThrow(): Promise<{ n: unknown }> }) =>
  Number((await query.executeTakeFirstOrThrow()).n);

describe.each(databases)("journeys across a kill -9 on %s", (kind) => {
  let database: TestDatabase;
  let store: Store;
  let server: ServerProcess;
  let t: WaymarkUnderTest;

  const connect = (url: string) => {
    t.client.destroy();
    t.client = new PinpointClient({ endpoint: url, region: "us-east-1", credentials: testCredentials });
  };

  /**
   * What a minute or two of real time would do for the process just killed: its fan-out job's
   * lease and its outbox leases run out. Then the same Waymark again, on the same database.
   */
  const restart = async () => {
    await store.db.updateTable("jobs").set({ locked_at_ms: 1 }).where("locked_at_ms", "is not", null).execute();
    await store.db
      .updateTable("messages")
      .set({ next_attempt_ms: Date.now() - 1 })
      .where("status", "=", "SENDING")
      .execute();
    server = await spawnServer(database.url);
    connect(server.url);
  };

  /** An app of its own with `size` email endpoints, and a segment of them all. */
  const audience = async (name: string, size: number) => {
    const appId = await createApp(t, name);
    await writeAudience(t, appId, endpointIds(name, size));
    return { appId, segmentId: await planSegment(t, appId) };
  };

  const sendBroadcast = async (appId: string, Id: string, EventType: string) => {
    const body = JSON.stringify({ Id, EventType, Attributes: { feature: "Dark mode" } });
    const answer = await signedFetch(server.url, "POST", `/v1/apps/${appId}/broadcasts`, body);
    expect(answer.status).toBe(202);
  };

  const sandboxCount = (appId: string) =>
    count(
      store.db
        .selectFrom("sandbox_messages")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("app_id", "=", appId),
    );

  /** The journey's messages in the outbox. */
  const outbox = async (appId: string, journeyId: string) => {
    const rows = await store.db
      .selectFrom("messages")
      .select(["id", "endpoint_id", "status", "origin"])
      .where("app_id", "=", appId)
      .execute();
    return rows.filter((row) => fromJson<{ journeyId?: string }>(row.origin).journeyId === journeyId);
  };

  /** After the restart: waits for every participant to reach `at` and every message to be final. */
  const settleAfterRestart = async (appId: string, journeyId: string, size: number, at: string) => {
    await pollUntil(
      () =>
        count(
          store.db
            .selectFrom("journey_participants")
            .select((eb) => eb.fn.countAll().as("n"))
            .where("journey_id", "=", journeyId)
            .where("activity_id", "=", at),
        ),
      (n) => n === size,
      { what: `${size} participants at ${at}`, timeoutMs: 60_000, intervalMs: 100 },
    );
    // Each test's journey is the only sender in its app: counts of the app's outbox say it all.
    const messages = (statuses?: string[]) =>
      count(
        store.db
          .selectFrom("messages")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("app_id", "=", appId)
          .$if(statuses !== undefined, (q) => q.where("status", "in", statuses ?? [])),
      );
    await pollUntil(
      async () => ({ open: await messages(["QUEUED", "SENDING"]), all: await messages() }),
      (o) => o.all === size && o.open === 0,
      { what: "every message final", timeoutMs: 60_000, intervalMs: 100 },
    );
  };

  /**
   * Nobody twice: one entry, one outbox message and at most one sandbox email per endpoint. Then
   * nobody missed: every message SUCCESSFUL and in the sandbox, and metrics that agree.
   */
  const expectEachOnce = async (appId: string, journeyId: string, size: number) => {
    const participants = await store.db
      .selectFrom("journey_participants")
      .select(["endpoint_id", "messages"])
      .where("journey_id", "=", journeyId)
      .execute();
    expect(participants).toHaveLength(size);
    expect(new Set(participants.map((p) => p.endpoint_id)).size).toBe(size);
    const rows = await outbox(appId, journeyId);
    expect(rows).toHaveLength(size);
    expect(new Set(rows.map((row) => row.endpoint_id)).size).toBe(size);
    // Each participant's row names the message the outbox holds for it.
    const ids = new Set(rows.map((row) => row.id));
    expect(participants.filter((p) => !ids.has(fromJson<Record<string, string>>(p.messages).announce))).toEqual([]);
    const twice = await store.db
      .selectFrom("sandbox_messages")
      .select(["address", sql<number>`count(*)`.as("n")])
      .where("app_id", "=", appId)
      .groupBy("address")
      .having(sql`count(*)`, ">", 1)
      .execute();
    expect(twice).toEqual([]);
    // The broadcast's event reached every email, also those sent after the restart.
    const subjects = await store.db
      .selectFrom("sandbox_messages")
      .select("content")
      .where("app_id", "=", appId)
      .execute();
    expect(subjects.filter((row) => fromJson<{ subject?: string }>(row.content).subject !== "New: Dark mode")).toEqual(
      [],
    );

    const statuses = new Map<string, number>();
    for (const row of rows) statuses.set(row.status, (statuses.get(row.status) ?? 0) + 1);
    expect.soft(Object.fromEntries(statuses)).toEqual({ SUCCESSFUL: size });
    expect.soft(await sandboxCount(appId)).toBe(size);
    expect(await executionMetrics(t, appId, journeyId)).toMatchObject({ ENDPOINT_ENTERED: size });
    expect.soft(await executionMetrics(t, appId, journeyId, "announce")).toEqual({
      ENDPOINT_ENTERED: size,
      SUCCESS: size,
    });
  };

  beforeAll(async () => {
    if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run npm run build (npm test does)`);
    database = await freshDatabase(kind);
    store = openStore(database.url);
    server = await spawnServer(database.url);
    t = {
      client: new PinpointClient({ endpoint: server.url, region: "us-east-1", credentials: testCredentials }),
      server: { services: { store } },
    };
    await t.client.send(
      new CreateEmailTemplateCommand({
        TemplateName: "Launch",
        EmailTemplateRequest: { Subject: "New: {{Event.Attributes.feature}}", TextPart: "Try it today." },
      }),
    );
  }, 60_000);
  afterAll(async () => {
    t?.client.destroy();
    await server?.stop();
    await store?.close();
    await database?.drop();
  });

  const announce = emailActivity("Launch", "hold");
  const hold = { Wait: { WaitTime: { WaitFor: "P7D" } } };

  it("a kill -9 during a broadcast's fan-out and sends: every endpoint entered once and got one email", async () => {
    const size = 15_000;
    const { appId, segmentId } = await audience("fanout", size);
    const definition: WriteJourneyRequest = broadcastJourney(segmentId, ["feature_release"], {
      StartActivity: "announce",
      Activities: { announce, hold },
    });
    const journeyId = await publishJourney(t, appId, definition);
    await sendBroadcast(appId, "release-1", "feature_release");

    const entrants = async () =>
      Number(
        (
          await store.db
            .selectFrom("journey_runs")
            .select(["entrants"])
            .where("journey_id", "=", journeyId)
            .executeTakeFirst()
        )?.entrants ?? 0,
      );
    // Kill once pages of entries are written and emails are reaching the sandbox, before the end.
    await pollUntil(
      async () => ({ entered: await entrants(), emailed: await sandboxCount(appId) }),
      (progress) => progress.entered >= 2000 && progress.emailed > 0,
      { what: "the fan-out and sends under way", timeoutMs: 60_000, intervalMs: 5 },
    );
    await server.crash();
    const atCrash = { entered: await entrants(), emailed: await sandboxCount(appId) };
    expect(atCrash.entered).toBeLessThan(size);
    expect(atCrash.emailed).toBeLessThan(size);
    await restart();

    const done = await pollUntil(
      async () => (await signedFetch(server.url, "GET", `/v1/apps/${appId}/broadcasts/release-1`)).json,
      (broadcast) => broadcast.State === "DONE",
      { what: "the broadcast to finish after the restart", timeoutMs: 60_000, intervalMs: 100 },
    );
    // The fan-out went on from its last committed page: its run counted each entry once.
    expect(done).toMatchObject({ EndpointsEntered: size, SegmentSize: size });
    expect((await runs(t, journeyId))[0]).toMatchObject({ entrants: size, fanout_done: 1 });
    await settleAfterRestart(appId, journeyId, size, "hold");
    await expectEachOnce(appId, journeyId, size);
  }, 180_000);

  it("a kill -9 while the engine sends a message activity: nobody missed, nobody twice", async () => {
    const size = 6000;
    const { appId, segmentId } = await audience("sends", size);
    // Everyone waits at the gate, then all are due at once: the engine sends in batches of 1,000.
    const gate = new Date(Date.now() + 3500).toISOString();
    const definition: WriteJourneyRequest = broadcastJourney(segmentId, ["feature_update"], {
      StartActivity: "gate",
      Activities: { gate: { Wait: { WaitTime: { WaitUntil: gate }, NextActivity: "announce" } }, announce, hold },
    });
    const journeyId = await publishJourney(t, appId, definition);
    await sendBroadcast(appId, "update-1", "feature_update");
    // Only this journey sends in its app: a count of the app's outbox is cheap enough to poll often.
    const queued = () =>
      count(
        store.db
          .selectFrom("messages")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("app_id", "=", appId),
      );
    await pollUntil(queued, (n) => n >= 2000, { what: "the engine to be sending", timeoutMs: 60_000, intervalMs: 5 });
    await server.crash();
    const atCrash = { queued: await queued(), emailed: await sandboxCount(appId) };
    expect(atCrash.queued).toBeGreaterThan(0);
    expect(atCrash.queued).toBeLessThan(size);
    await restart();

    await settleAfterRestart(appId, journeyId, size, "hold");
    await expectEachOnce(appId, journeyId, size);
  }, 180_000);
});
