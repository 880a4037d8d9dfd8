/**
 * Segment size on SQLite and on PostgreSQL: a 3-dimension segment (an attribute, the platform and
 * two countries) counted over 1,000,000 endpoints must take < 300 ms (issue 4). The endpoints are
 * written straight through the store (writeEndpoints, in transactions of 50,000), as an import
 * writes them, with their endpoint_dimensions rows; the count is countSegment, as the API's
 * GetSegmentSize runs it. Each count runs 7 times after one warm-up; the median is the figure.
 * Three more segments are timed for information: one attribute alone, one that only the endpoints
 * table can answer (CONTAINS), and one on recency and a metric.
 *
 * BENCH_SEGMENT_ENDPOINTS (default 1,000,000) shrinks the audience for a quick pass.
 * TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432) names the PostgreSQL server.
 *
 * Run alone with `npm run build && node bench/segment-size.bench.js`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { loadConfig } from "../dist/config.js";
import { writeEndpoints } from "../dist/endpoints/queries.js";
import { countSegment, createSegment } from "../dist/segments/index.js";
import { createServices } from "../dist/services.js";
import { openStore, toJson } from "../dist/store/index.js";
import { report } from "./run.js";

const endpoints = Number(process.env.BENCH_SEGMENT_ENDPOINTS ?? 1_000_000);
const postgresServer = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const targetMs = 300;
const appId = "5f1d3c7a9b2e4d6f8a0c1e3b5d7f9a2c";

const plans = ["free", "gold", "platinum"];
const platforms = ["iOS", "Android", "Web"];
const countries = ["FR", "DE", "US", "GB", "JP", "BR", "IN", "ES", "IT", "CA"];
const interests = ["books", "music", "film", "travel", "food", "sport", "games", "art"];
const channels = ["EMAIL", "EMAIL", "SMS", "APNS", "GCM", "EMAIL", "SMS", "APNS"];
const now = Date.now();

/** A well-mixed 32-bit hash (MurmurHash3's finaliser), so each field varies independently of the others. */
function mix(x) {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Field `salt` of endpoint `i`: one of `choices`, as if drawn at random but the same on every run. */
function pick(i, salt, choices) {
  return choices[mix(i * 16 + salt) % choices.length];
}

/** A deterministic, varied endpoint. */
function endpoint(i) {
  return {
    ApplicationId: appId,
    Id: `${mix(i).toString(16).padStart(8, "0")}-${i}`,
    ChannelType: pick(i, 1, channels),
    Address: `user${i}@example.com`,
    Attributes: {
      Plan: [pick(i, 2, plans)],
      Interests: [pick(i, 3, interests), pick(i, 4, interests)],
      Referrer: [`campaign-${mix(i * 16 + 5) % 50}`],
    },
    Metrics: { sessions: mix(i * 16 + 6) % 101, spend: (mix(i * 16 + 7) % 1000) / 10 },
    User: { UserId: `user-${i}`, UserAttributes: { FirstName: [`Name${i % 500}`] } },
    Demographic: {
      Platform: pick(i, 8, platforms),
      Make: pick(i, 9, ["Apple", "Samsung", "Google"]),
      Model: `Model ${mix(i * 16 + 10) % 12}`,
      AppVersion: `4.${mix(i * 16 + 11) % 5}`,
      Locale: "en_US",
      Timezone: "Europe/Paris",
    },
    Location: {
      Country: pick(i, 12, countries),
      City: `City ${mix(i * 16 + 13) % 40}`,
      Latitude: 35 + (mix(i * 16 + 14) % 2000) / 100,
      Longitude: -10 + (mix(i * 16 + 15) % 3000) / 100,
    },
    OptOut: "NONE",
    EndpointStatus: "ACTIVE",
    EffectiveDate: new Date(now - (mix(i) % (60 * 86_400)) * 1000).toISOString(),
    CreationDate: new Date(now - 90 * 86_400_000).toISOString(),
    CohortId: String(i % 100),
  };
}

function isInThreeDimensionSegment(i) {
  const e = endpoint(i);
  return (
    e.Attributes.Plan[0] === "gold" && e.Demographic.Platform === "iOS" && ["FR", "DE"].includes(e.Location.Country)
  );
}

async function fill(store) {
  const started = performance.now();
  await store.db
    .insertInto("apps")
    .values({
      id: appId,
      name: "Segment bench",
      creation_date: new Date().toISOString(),
      settings: toJson({}),
      tags: toJson({}),
    })
    .execute();
  let expected = 0;
  for (let from = 0; from < endpoints; from += 50_000) {
    const batch = [];
    for (let i = from; i < Math.min(endpoints, from + 50_000); i++) {
      batch.push(endpoint(i));
      if (isInThreeDimensionSegment(i)) expected++;
    }
    await store.db.transaction().execute((trx) => writeEndpoints(trx, batch));
  }
  // What autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would have gathered by now.
  await sql`analyze`.execute(store.db);
  console.log(
    `${endpoints.toLocaleString("en-US")} endpoints written in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return expected;
}

async function timeCount(services, segmentId) {
  await countSegment(services, appId, segmentId);
  const times = [];
  let size = 0;
  for (let run = 0; run < 7; run++) {
    const started = performance.now();
    size = await countSegment(services, appId, segmentId);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { size, median: times[3], best: times[0], worst: times[6] };
}

async function measure(label, databaseUrl) {
  const config = loadConfig({ env: {}, cwd: tmpdir(), overrides: { databaseUrl } });
  const store = openStore(databaseUrl);
  try {
    await store.migrate();
    const services = createServices(config, store);
    const expected = await fill(store);
    const segment = await createSegment(services, appId, {
      Name: "Gold iOS users in France or Germany",
      Dimensions: {
        Attributes: { Plan: { AttributeType: "INCLUSIVE", Values: ["gold"] } },
        Demographic: { Platform: { DimensionType: "INCLUSIVE", Values: ["iOS"] } },
        Location: { Country: { DimensionType: "INCLUSIVE", Values: ["FR", "DE"] } },
      },
    });
    const counted = await timeCount(services, segment.Id);
    if (counted.size !== expected) throw new Error(`${label}: counted ${counted.size}, expected ${expected}`);
    console.log(
      `${label}: ${counted.size.toLocaleString("en-US")} endpoints in the segment; best ${counted.best.toFixed(0)} ms, worst ${counted.worst.toFixed(0)} ms`,
    );
    report(
      `segment size, 3 dimensions, ${endpoints.toLocaleString("en-US")} endpoints (${label})`,
      `${counted.median.toFixed(0)} ms`,
      `< ${targetMs} ms`,
      counted.median < targetMs,
    );
    const others = {
      "one attribute (a third of the endpoints)": { Attributes: { Plan: { Values: ["gold"] } } },
      "CONTAINS on an attribute (reads the endpoints table)": {
        Attributes: { Referrer: { AttributeType: "CONTAINS", Values: ["-4"] } },
      },
      "active in 7 days with sessions > 50": {
        Behavior: { Recency: { Duration: "DAY_7", RecencyType: "ACTIVE" } },
        Metrics: { sessions: { ComparisonOperator: "GREATER_THAN", Value: 50 } },
      },
    };
    for (const [name, Dimensions] of Object.entries(others)) {
      const other = await createSegment(services, appId, { Name: name, Dimensions });
      const timed = await timeCount(services, other.Id);
      console.log(
        `${label}, ${name}: ${timed.size.toLocaleString("en-US")} endpoints, median ${timed.median.toFixed(0)} ms`,
      );
    }
  } finally {
    await store.close();
  }
}

const directory = mkdtempSync(join(tmpdir(), "waymark-bench-segments-"));
try {
  await measure("SQLite", `sqlite:${join(directory, "bench.db")}`);
  const name = `waymark_bench_segments_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${postgresServer}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    await measure("PostgreSQL", `${postgresServer}/${name}`);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}
