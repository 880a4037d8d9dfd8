/**
 * Journeys (issue 5):
 * - Broadcast: 1,000,000 email endpoints in a segment and an active broadcast-started journey of
 *   email → wait; one broadcast. The figure is the time from the broadcast request until every
 *   endpoint has entered and its email is in the sandbox channel, and the server process's peak
 *   RSS. Target ≤ 60 s and < 300 MB on SQLite; the same is reported on PostgreSQL.
 * - Event entry: an event-started journey, PutEvents at 5,000 events/s (50 requests of 100 events a
 *   second, each event a new endpoint): event sent → participant entered, p99 < 1 s.
 * - Wake-up: 1,000,000 participants waiting at a Wait whose time has come: participants woken and
 *   moved on to the next activity per second, ≥ 20,000.
 * Broadcast and event entry run a real `waymark start` child process (its own core and RSS);
 * wake-up runs the server in this process with a manual clock, moved past the wait.
 *
 * BENCH_JOURNEY_ENDPOINTS (default 1,000,000) shrinks the broadcast and wake-up audiences,
 * BENCH_JOURNEY_EVENT_SECONDS (default 20) the event-entry run; BENCH_JOURNEY_ONLY (a comma list of
 * broadcast-sqlite, broadcast-postgres, event-entry, wake-up) runs only those parts.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAppCommand,
  CreateEmailTemplateCommand,
  CreateJourneyCommand,
  CreateSegmentCommand,
  PinpointClient,
  PutEventsCommand,
} from "@aws-sdk/client-pinpoint";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { sql } from "kysely";
import { ManualClock } from "../dist/clock.js";
import { loadConfig } from "../dist/config.js";
import { writeEndpoints } from "../dist/endpoints/queries.js";
import { startServer } from "../dist/server.js";
import { openStore, toJson } from "../dist/store/index.js";
import { report } from "./run.js";
import { benchCredentials, spawnWaymark, withPostgresDatabase } from "./support.js";

const audience = Number(process.env.BENCH_JOURNEY_ENDPOINTS ?? 1_000_000);
const eventSeconds = Number(process.env.BENCH_JOURNEY_EVENT_SECONDS ?? 20);
const dir = mkdtempSync(join(tmpdir(), "waymark-bench-journeys-"));
const fromAddress = "news@example.com";

function client(url) {
  return new PinpointClient({ endpoint: url, region: "us-east-1", credentials: benchCredentials });
}

/** A signed call to one of Waymark's own operations (the SDK does not know them). */
async function signedJson(url, method, path, body) {
  const target = new URL(path, url);
  const signer = new SignatureV4({
    credentials: benchCredentials,
    region: "us-east-1",
    service: "mobiletargeting",
    sha256: Hash.bind(null, "sha256"),
  });
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: target.protocol,
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      headers: { host: target.host, "content-type": "application/json" },
      body: payload,
    }),
  );
  const response = await fetch(target, { method, headers: signed.headers, body: payload });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Peak resident set of a process, from /proc (VmHWM), in MB. */
function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024);
}

/** `count` email endpoints written straight through the store, as an import writes them. */
async function writeAudience(databaseUrl, appId, count) {
  const store = openStore(databaseUrl);
  await store.migrate();
  await store.db
    .insertInto("apps")
    .values({ id: appId, name: "bench", creation_date: new Date().toISOString(), settings: "{}", tags: "{}" })
    .execute();
  const started = performance.now();
  for (let from = 0; from < count; from += 50_000) {
    const batch = [];
    for (let i = from; i < Math.min(count, from + 50_000); i++) {
      batch.push({
        ApplicationId: appId,
        Id: `ep-${String(i).padStart(7, "0")}`,
        ChannelType: "EMAIL",
        Address: `user${i}@example.com`,
        Attributes: { Plan: [i % 3 === 0 ? "gold" : "free"] },
        Metrics: {},
        Demographic: { Timezone: "Europe/Paris" },
        Location: {},
        User: { UserId: `user-${i}`, UserAttributes: { FirstName: [`Name${i % 500}`] } },
        OptOut: "NONE",
        EndpointStatus: "ACTIVE",
        EffectiveDate: new Date().toISOString(),
        CreationDate: new Date().toISOString(),
        CohortId: String(i % 100),
      });
    }
    await store.db.transaction().execute((trx) => writeEndpoints(trx, batch));
  }
  await sql`analyze`.execute(store.db);
  console.log(
    `${count.toLocaleString("en")} endpoints written in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return store;
}

/** An email template naming the broadcast's feature, a segment of everyone, an active email → wait journey. */
async function broadcastJourney(pinpoint, appId) {
  await pinpoint.send(
    new CreateEmailTemplateCommand({
      TemplateName: `release-${appId}`,
      EmailTemplateRequest: {
        Subject: "New: {{Event.Attributes.feature}}",
        HtmlPart: "<p>Hello {{User.UserAttributes.FirstName}}, meet {{Event.Attributes.feature}}.</p>",
      },
    }),
  );
  const segment = await pinpoint.send(
    new CreateSegmentCommand({
      ApplicationId: appId,
      WriteSegmentRequest: {
        Name: "everyone",
        Dimensions: { Attributes: { Plan: { AttributeType: "INCLUSIVE", Values: ["gold", "free"] } } },
      },
    }),
  );
  await pinpoint.send(
    new CreateJourneyCommand({
      ApplicationId: appId,
      WriteJourneyRequest: {
        Name: "Feature release",
        State: "ACTIVE",
        StartCondition: {
          EventStartCondition: {
            EventFilter: {
              FilterType: "BROADCAST",
              Dimensions: { EventType: { DimensionType: "INCLUSIVE", Values: ["feature_release"] } },
            },
            SegmentId: segment.SegmentResponse.Id,
          },
        },
        StartActivity: "announce",
        Activities: {
          announce: {
            EMAIL: {
              TemplateName: `release-${appId}`,
              MessageConfig: { FromAddress: fromAddress },
              NextActivity: "pause",
            },
          },
          pause: { Wait: { WaitTime: { WaitFor: "P1D" } } },
        },
      },
    }),
  );
}

async function broadcast(label, databaseUrl) {
  const appId = "broadcastbench";
  const store = await writeAudience(databaseUrl, appId, audience);
  const server = await spawnWaymark(databaseUrl);
  const pinpoint = client(server.url);
  try {
    await broadcastJourney(pinpoint, appId);
    const started = performance.now();
    await signedJson(server.url, "POST", `/v1/apps/${appId}/broadcasts`, {
      Id: "launch-1",
      EventType: "feature_release",
      Attributes: { feature: "Dark mode" },
    });
    let sent = 0;
    while (sent < audience) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const row = await store.db
        .selectFrom("sandbox_messages")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      sent = Number(row.n);
      if (performance.now() - started > 600_000) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const rss = peakRssMb(server.pid);
    report(
      `broadcast to ${audience.toLocaleString("en")} endpoints, email → wait, all emails in the sandbox (${label})`,
      `${seconds.toFixed(1)} s (${Math.round(sent / seconds).toLocaleString("en")} endpoints/s), ${sent.toLocaleString("en")} sent, server peak RSS ${rss} MB`,
      label === "SQLite" ? "≤ 60 s, RSS < 300 MB" : "reported (SQLite's target: ≤ 60 s, RSS < 300 MB)",
      sent === audience && (label !== "SQLite" || (seconds <= 60 && rss < 300)),
    );
  } finally {
    pinpoint.destroy();
    await server.stop();
    await store.close();
  }
}

async function eventEntry() {
  const databaseUrl = `sqlite:${join(dir, "events.db")}`;
  const server = await spawnWaymark(databaseUrl);
  const pinpoint = client(server.url);
  const store = openStore(databaseUrl);
  try {
    const app = await pinpoint.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "events" } }));
    const appId = app.ApplicationResponse.Id;
    await pinpoint.send(
      new CreateJourneyCommand({
        ApplicationId: appId,
        WriteJourneyRequest: {
          Name: "After a purchase",
          State: "ACTIVE",
          Limits: { EndpointReentryCap: 0 },
          StartCondition: {
            EventStartCondition: {
              EventFilter: {
                FilterType: "ENDPOINT",
                Dimensions: { EventType: { DimensionType: "INCLUSIVE", Values: ["purchase"] } },
              },
            },
          },
          StartActivity: "later",
          Activities: { later: { Wait: { WaitTime: { WaitFor: "P1D" } } } },
        },
      }),
    );
    const sentAt = new Map();
    const requests = [];
    const started = performance.now();
    let batch = 0;
    // 50 requests a second of 100 events, each request started on its own tick whatever the last one did.
    while (performance.now() - started < eventSeconds * 1000) {
      const due = started + batch * 20;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const BatchItem = {};
      for (let k = 0; k < 100; k++) {
        const id = `buyer-${batch}-${k}`;
        BatchItem[id] = {
          Endpoint: { ChannelType: "EMAIL", Address: `${id}@example.com` },
          Events: {
            [`order-${batch}-${k}`]: {
              EventType: "purchase",
              Timestamp: new Date().toISOString(),
              Attributes: { sku: "A1" },
            },
          },
        };
        sentAt.set(id, Date.now());
      }
      requests.push(pinpoint.send(new PutEventsCommand({ ApplicationId: appId, EventsRequest: { BatchItem } })));
      batch++;
    }
    await Promise.all(requests);
    const expected = sentAt.size;
    let rows = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      rows = await store.db
        .selectFrom("journey_participants")
        .select(["endpoint_id", "activity_entered_ms"])
        .where("status", "=", "ACTIVE")
        .execute();
      if (rows.length >= expected) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const latencies = rows.map((row) => row.activity_entered_ms - sentAt.get(row.endpoint_id)).sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? Number.POSITIVE_INFINITY;
    const p50 = latencies[Math.floor(latencies.length * 0.5)] ?? Number.POSITIVE_INFINITY;
    const rate = expected / (eventSeconds || 1);
    report(
      `event → journey entry at ${Math.round(rate).toLocaleString("en")} PutEvents events/s (SQLite)`,
      `p99 ${p99} ms (median ${p50} ms), ${rows.length.toLocaleString("en")} of ${expected.toLocaleString("en")} entered`,
      "p99 < 1 s at 5,000 events/s",
      p99 < 1000 && rows.length === expected,
    );
  } finally {
    pinpoint.destroy();
    await store.close();
    await server.stop();
  }
}

async function wakeUp() {
  const databaseUrl = `sqlite:${join(dir, "wake.db")}`;
  const clock = new ManualClock(Date.now());
  const config = loadConfig({ env: {}, cwd: dir, overrides: { databaseUrl, server: { host: "127.0.0.1", port: 0 } } });
  const server = await startServer(config, { logLevel: "silent", clock });
  const pinpoint = client(server.url);
  const { db } = server.services.store;
  try {
    const app = await pinpoint.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "wake" } }));
    const appId = app.ApplicationResponse.Id;
    const journey = await pinpoint.send(
      new CreateJourneyCommand({
        ApplicationId: appId,
        WriteJourneyRequest: {
          Name: "Two waits",
          State: "ACTIVE",
          StartCondition: {
            EventStartCondition: {
              EventFilter: {
                FilterType: "ENDPOINT",
                Dimensions: { EventType: { DimensionType: "INCLUSIVE", Values: ["never"] } },
              },
            },
          },
          StartActivity: "first",
          Activities: {
            first: { Wait: { WaitTime: { WaitFor: "PT1H" }, NextActivity: "second" } },
            second: { Wait: { WaitTime: { WaitFor: "P1D" } } },
          },
        },
      }),
    );
    const journeyId = journey.JourneyResponse.Id;
    const now = clock.now();
    const runId =
      (await db.selectFrom("journey_runs").select("run_id").where("journey_id", "=", journeyId).executeTakeFirst())
        ?.run_id ?? journeyId;
    for (let from = 0; from < audience; from += 50_000) {
      const rows = [];
      for (let i = from; i < Math.min(audience, from + 50_000); i++) {
        rows.push({
          app_id: appId,
          journey_id: journeyId,
          run_id: runId,
          endpoint_id: `ep-${i}`,
          entry_key: `bench:${i}`,
          status: "ACTIVE",
          activity_id: "first",
          step: 1,
          wake_ms: now + 3_600_000,
          entered_ms: now,
          activity_entered_ms: now,
          broadcast_id: null,
          trigger_event: null,
          messages: toJson({}),
          sent_total: 0,
          sent_day_start_ms: 0,
          sent_today: 0,
        });
      }
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += 1_000)
          await trx
            .insertInto("journey_participants")
            .values(rows.slice(i, i + 1_000))
            .execute();
      });
    }
    clock.advance(3_600_000);
    const started = performance.now();
    server.services.wake.journeys();
    // Counted from the rows still due (an index range that shrinks as they move), so polling costs
    // the engine, which shares this process, next to nothing.
    let moved = 0;
    while (moved < audience && performance.now() - started < 600_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const row = await db
        .selectFrom("journey_participants")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("wake_ms", "<=", clock.now())
        .executeTakeFirstOrThrow();
      moved = audience - Number(row.n);
    }
    const rate = moved / ((performance.now() - started) / 1000);
    report(
      `${audience.toLocaleString("en")} waiting participants woken and moved on (SQLite)`,
      `${Math.round(rate).toLocaleString("en")} participants/s, ${moved.toLocaleString("en")} moved`,
      "≥ 20,000 participants/s",
      rate >= 20_000 && moved === audience,
    );
  } finally {
    pinpoint.destroy();
    await server.close();
  }
}

const only = process.env.BENCH_JOURNEY_ONLY?.split(",");
const parts = {
  "broadcast-sqlite": () => broadcast("SQLite", `sqlite:${join(dir, "broadcast.db")}`),
  "broadcast-postgres": () => withPostgresDatabase("waymark_bench_journeys", (url) => broadcast("PostgreSQL", url)),
  "event-entry": eventEntry,
  "wake-up": wakeUp,
};
try {
  for (const [name, run] of Object.entries(parts)) if (!only || only.includes(name)) await run();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
