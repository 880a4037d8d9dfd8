import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BadRequestException,
  CreateAppCommand,
  DeleteEventStreamCommand,
  GetEventStreamCommand,
  NotFoundException,
  PutEventStreamCommand,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { appendToStream, toEventStreamRecord } from "../src/stream/index.js";
import { claimRecords } from "../src/stream/outbox/claim.js";
import { databases, startTestServer, type TestServer, testCredentials } from "./support/server.js";

const account = "123456789012";
const roleArn = `arn:aws:iam::${account}:role/pinpoint-events`;
const kinesis = (name: string) => `arn:aws:kinesis:us-east-1:${account}:stream/${name}`;
const firehose = (name: string) => `arn:aws:firehose:us-east-1:${account}:deliverystream/${name}`;
const waitLong = { timeout: 10_000, interval: 50 };

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number;
}

/**
 * A real HTTP destination: `/ok/*` accepts, `/flaky/*` answers 500 to its first request and then
 * accepts, `/down/*` always answers 503. Every request is kept, with what it was answered.
 */
async function startCollector() {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      const seenBefore = deliveries.some((d) => d.path === path);
      const status = path.startsWith("/down") ? 503 : path.startsWith("/flaky") && !seenBefore ? 500 : 200;
      deliveries.push({ path, headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString()), status });
      response.writeHead(status).end(status === 200 ? "" : "try later");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (path: string) => `${base}${path}`,
    /** The records a path accepted, in the order they arrived. */
    accepted: (path: string) =>
      deliveries.filter((d) => d.path === path && d.status === 200).flatMap((d) => d.body as unknown[]),
    requests: (path: string) => deliveries.filter((d) => d.path === path),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Collector = Awaited<ReturnType<typeof startCollector>>;

async function createApp(t: TestServer, name: string): Promise<string> {
  const created = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: name } }));
  return created.ApplicationResponse?.Id ?? "";
}

async function streamTo(t: TestServer, appId: string, destination: string): Promise<void> {
  await t.client.send(
    new PutEventStreamCommand({
      ApplicationId: appId,
      WriteEventStream: { DestinationStreamArn: destination, RoleArn: roleArn },
    }),
  );
}

/** Appends as a producer does: inside a transaction, then a wake-up once it has committed. */
async function append(t: TestServer, appId: string, records: unknown[]): Promise<number> {
  const { services } = t.server;
  const added = await services.store.db.transaction().execute((trx) => appendToStream(trx, appId, records));
  services.wake.stream();
  return added;
}

function outboxRows(t: TestServer, appId: string) {
  return t.server.services.store.db.selectFrom("stream_outbox").selectAll().where("app_id", "=", appId).execute();
}

const purchases = (appId: string, count: number) =>
  Array.from({ length: count }, (_, i) =>
    toEventStreamRecord({
      appId,
      awsAccountId: account,
      endpointId: `endpoint-${i}`,
      arrivalMs: Date.now(),
      event: { EventType: "purchase", Timestamp: new Date().toISOString(), Metrics: { order: i } },
    }),
  );

describe.each(databases)("event stream on %s", (kind) => {
  let t: TestServer;
  let collector: Collector;
  let dir: string;

  beforeAll(async () => {
    collector = await startCollector();
    dir = mkdtempSync(join(tmpdir(), "waymark-stream-"));
    t = await startTestServer(kind, {
      accountId: account,
      eventStreams: {
        [kinesis("ok")]: { type: "webhook", url: collector.url(`/ok/${kind}`), headers: { "x-api-key": "k-123" } },
        [kinesis("flaky")]: { type: "webhook", url: collector.url(`/flaky/${kind}`), headers: {} },
        [firehose("archive")]: { type: "file", path: join(dir, "nested", "deeper", "events.ndjson") },
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("puts, reads and deletes an app's event stream, recording the access key that set it", async () => {
    const appId = await createApp(t, "Streams");
    const put = await t.client.send(
      new PutEventStreamCommand({
        ApplicationId: appId,
        WriteEventStream: { DestinationStreamArn: kinesis("ok"), RoleArn: roleArn },
      }),
    );
    expect(put.EventStream).toMatchObject({
      ApplicationId: appId,
      DestinationStreamArn: kinesis("ok"),
      RoleArn: roleArn,
      LastUpdatedBy: testCredentials.accessKeyId,
    });
    expect(Date.parse(put.EventStream?.LastModifiedDate ?? "")).toBeGreaterThan(Date.now() - 60_000);

    const replaced = await t.client.send(
      new PutEventStreamCommand({
        ApplicationId: appId,
        WriteEventStream: { DestinationStreamArn: firehose("archive"), RoleArn: roleArn },
      }),
    );
    const read = await t.client.send(new GetEventStreamCommand({ ApplicationId: appId }));
    expect(read.EventStream).toEqual(replaced.EventStream);
    expect(read.EventStream?.DestinationStreamArn).toBe(firehose("archive"));

    const deleted = await t.client.send(new DeleteEventStreamCommand({ ApplicationId: appId }));
    expect(deleted.EventStream).toEqual(replaced.EventStream);
    await expect(t.client.send(new GetEventStreamCommand({ ApplicationId: appId }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it("refuses an ARN that is not a Kinesis or Firehose stream, and one not mapped in config, storing nothing", async () => {
    const appId = await createApp(t, "Unmapped");
    const put = (DestinationStreamArn: string, role = roleArn) =>
      t.client.send(
        new PutEventStreamCommand({ ApplicationId: appId, WriteEventStream: { DestinationStreamArn, RoleArn: role } }),
      );
    await expect(put(`arn:aws:sqs:us-east-1:${account}:queue`)).rejects.toThrow(/Kinesis stream ARN/);
    await expect(put(kinesis("ok"), "not-a-role")).rejects.toBeInstanceOf(BadRequestException);
    const unmapped = await put(kinesis("nowhere")).catch((error: unknown) => error);
    expect(unmapped).toBeInstanceOf(BadRequestException);
    expect((unmapped as Error).message).toContain(`"eventStreams": {"${kinesis("nowhere")}": {"type": "webhook"`);
    await expect(t.client.send(new GetEventStreamCommand({ ApplicationId: appId }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it("answers NotFoundException for an app without a stream and for an unknown app", async () => {
    const appId = await createApp(t, "No stream");
    await expect(t.client.send(new GetEventStreamCommand({ ApplicationId: appId }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
    await expect(t.client.send(new DeleteEventStreamCommand({ ApplicationId: appId }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
    await expect(
      t.client.send(
        new PutEventStreamCommand({
          ApplicationId: "missing",
          WriteEventStream: { DestinationStreamArn: kinesis("ok"), RoleArn: roleArn },
        }),
      ),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it("queues nothing for an app that streams nowhere", async () => {
    const appId = await createApp(t, "Silent");
    expect(await append(t, appId, purchases(appId, 3))).toBe(0);
    expect(await outboxRows(t, appId)).toEqual([]);
  });

  it("delivers appended records to the webhook as one JSON array, with the configured headers", async () => {
    const appId = await createApp(t, "Webhook");
    await streamTo(t, appId, kinesis("ok"));
    const records = purchases(appId, 120);
    expect(await append(t, appId, records)).toBe(120);

    const path = `/ok/${kind}`;
    await vi.waitFor(() => expect(collector.accepted(path)).toHaveLength(120), waitLong);
    expect(collector.accepted(path)).toEqual(JSON.parse(JSON.stringify(records)));
    const [request] = collector.requests(path);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["x-api-key"]).toBe("k-123");
    expect(Array.isArray(request.body)).toBe(true);
    await vi.waitFor(async () => expect(await outboxRows(t, appId)).toEqual([]), waitLong);
  });

  it("retries a batch the webhook refused until it accepts it", async () => {
    const appId = await createApp(t, "Flaky");
    await streamTo(t, appId, kinesis("flaky"));
    const records = purchases(appId, 5);
    await append(t, appId, records);

    const path = `/flaky/${kind}`;
    await vi.waitFor(() => expect(collector.accepted(path)).toHaveLength(5), waitLong);
    expect(collector.requests(path).map((r) => r.status)).toEqual([500, 200]);
    expect(collector.accepted(path)).toEqual(JSON.parse(JSON.stringify(records)));
    await vi.waitFor(async () => expect(await outboxRows(t, appId)).toEqual([]), waitLong);
  });

  it("appends records to a file destination as NDJSON lines, creating its folders", async () => {
    const appId = await createApp(t, "Archive");
    await streamTo(t, appId, firehose("archive"));
    const records = purchases(appId, 4);
    await append(t, appId, records);

    const file = join(dir, "nested", "deeper", "events.ndjson");
    const lines = () => {
      try {
        return readFileSync(file, "utf8").split("\n").filter(Boolean);
      } catch {
        return [];
      }
    };
    await vi.waitFor(() => expect(lines()).toHaveLength(4), waitLong);
    expect(lines().map((line) => JSON.parse(line))).toEqual(JSON.parse(JSON.stringify(records)));
  });

  it("keeps records whose destination is no longer mapped, with an error that says so", async () => {
    const appId = await createApp(t, "Forgotten");
    const { db } = t.server.services.store;
    await db
      .insertInto("event_streams")
      .values({
        app_id: appId,
        destination_stream_arn: kinesis("forgotten"),
        role_arn: roleArn,
        external_id: null,
        last_modified_date: new Date().toISOString(),
        last_updated_by: null,
      })
      .execute();
    await append(t, appId, purchases(appId, 2));

    await vi.waitFor(async () => {
      const rows = await outboxRows(t, appId);
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row.attempts).toBeGreaterThanOrEqual(1);
        expect(row.last_error).toContain(`${kinesis("forgotten")} is not mapped in config.eventStreams`);
      }
    }, waitLong);
    await db.deleteFrom("stream_outbox").where("app_id", "=", appId).execute();
  });

  it("claims records again once the lease of the process that claimed them has run out", async () => {
    const appId = await createApp(t, "Lease");
    await streamTo(t, appId, kinesis("ok"));
    const { db, dialect } = t.server.services.store;
    // Due an hour from now, out of the running server's reach: this test plays both processes.
    const later = Date.now() + 3_600_000;
    await appendToStream(db, appId, [{ n: 1 }, { n: 2 }], later);
    const mine = async (now: number) =>
      (await claimRecords(db, dialect, { limit: 500, leaseMs: 1000, now })).filter((row) => row.app_id === appId);

    const first = await mine(later);
    expect(first.map((row) => [row.record, row.attempts])).toEqual([
      [{ n: 1 }, 1],
      [{ n: 2 }, 1],
    ]);
    expect(await mine(later + 999)).toEqual([]);
    const again = await mine(later + 1000);
    expect(again.map((row) => [row.id, row.attempts])).toEqual(first.map((row) => [row.id, 2]));
    await db.deleteFrom("stream_outbox").where("app_id", "=", appId).execute();
  });
});

describe.each(databases)("event stream across a restart on %s", (kind) => {
  let collector: Collector;
  beforeAll(async () => {
    collector = await startCollector();
  });
  afterAll(() => collector.close());

  it("delivers records queued before the server stopped once a new server starts on the same database", async () => {
    const destination = kinesis("restart");
    const first = await startTestServer(kind, {
      eventStreams: { [destination]: { type: "webhook", url: collector.url(`/down/${kind}`), headers: {} } },
    });
    const appId = await createApp(first, "Restart");
    await streamTo(first, appId, destination);
    const records = purchases(appId, 3);
    await append(first, appId, records);
    await vi.waitFor(async () => {
      const rows = await outboxRows(first, appId);
      expect(rows.map((row) => row.last_error)).toEqual(Array(3).fill(expect.stringContaining("answered 503")));
    }, waitLong);
    first.client.destroy();
    await first.server.close();

    const second = await startTestServer(
      kind,
      { eventStreams: { [destination]: { type: "webhook", url: collector.url(`/up/${kind}`), headers: {} } } },
      { database: first.database },
    );
    try {
      await vi.waitFor(() => expect(collector.accepted(`/up/${kind}`)).toHaveLength(3), waitLong);
      expect(collector.accepted(`/up/${kind}`)).toEqual(JSON.parse(JSON.stringify(records)));
      await vi.waitFor(async () => expect(await outboxRows(second, appId)).toEqual([]), waitLong);
    } finally {
      await second.close();
    }
  });
});
