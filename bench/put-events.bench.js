/**
 * PutEvents throughput over HTTP, on SQLite and on PostgreSQL: batches of 100 events (10 endpoints
 * with their endpoint data, 10 events each), sent by 8 concurrent SDK clients to a real `waymark
 * start` child process (so the server has its own core, as in production). Prints events/s
 * sustained and the p99 latency of one batch.
 *
 * BENCH_PUT_EVENTS_SECONDS (default 20) sets how long each database is loaded.
 * TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432) names the PostgreSQL server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateAppCommand, PinpointClient, PutEventsCommand } from "@aws-sdk/client-pinpoint";
import { report } from "./run.js";
import { benchCredentials, spawnWaymark, withPostgresDatabase } from "./support.js";

const seconds = Number(process.env.BENCH_PUT_EVENTS_SECONDS ?? 20);
const lanes = 8;

function batch(lane, n) {
  const now = new Date().toISOString();
  const items = {};
  for (let e = 0; e < 10; e++) {
    const endpointId = `bench-${lane}-${(n * 10 + e) % 5000}`;
    const events = {};
    for (let i = 0; i < 10; i++) {
      events[`${lane}-${n}-${e}-${i}`] = {
        EventType: i === 0 ? "_session.start" : "product.viewed",
        Timestamp: now,
        Attributes: { product: `sku-${i}`, category: "books" },
        Metrics: { price: 9.99 + i },
        Session: { Id: `s-${lane}-${n}`, StartTimestamp: now },
      };
    }
    items[endpointId] = {
      Endpoint: {
        ChannelType: "EMAIL",
        Address: `${endpointId}@example.com`,
        Attributes: { Plan: ["pro"], Interests: ["books", "music"] },
        Demographic: { Platform: "ios", Timezone: "Europe/Paris", Locale: "fr_FR" },
        Location: { Country: "FR", City: "Lyon" },
        User: { UserId: `user-${endpointId}` },
      },
      Events: events,
    };
  }
  return { BatchItem: items };
}

async function measure(label, databaseUrl) {
  const server = await spawnWaymark(databaseUrl);
  const client = new PinpointClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: benchCredentials,
    maxAttempts: 1,
  });
  const app = await client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "bench" } }));
  const appId = app.ApplicationResponse.Id;
  const latencies = [];
  let events = 0;
  let failures = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const request = batch(lane, n);
        const t0 = performance.now();
        try {
          await client.send(new PutEventsCommand({ ApplicationId: appId, EventsRequest: request }));
          latencies.push(performance.now() - t0);
          events += 100;
        } catch (error) {
          failures++;
          if (failures < 3) console.error(error);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  client.destroy();
  await server.stop();
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
  const rate = events / elapsed;
  report(
    `PutEvents on ${label}, batches of 100 with endpoint data`,
    `${Math.round(rate).toLocaleString("en")} events/s`,
    "≥ 10,000 events/s",
    rate >= 10_000 && failures === 0,
  );
  console.log(
    `PutEvents on ${label}: p99 per batch ${p99.toFixed(1)} ms, median ${latencies[Math.floor(latencies.length / 2)]?.toFixed(1)} ms, ${failures} failed batches`,
  );
}

const dir = mkdtempSync(join(tmpdir(), "waymark-bench-"));
try {
  await measure("SQLite", `sqlite:${join(dir, "bench.db")}`);
  await withPostgresDatabase("waymark_bench", (url) => measure("PostgreSQL", url));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
