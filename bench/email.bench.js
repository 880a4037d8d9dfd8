/**
 * Email through the delivery pipeline to a local SMTP sink: 100,000 messages queued in the outbox
 * in large transactions, then delivered by the background loop over the SMTP connection pool.
 * Prints messages/s (target ≥ 2,000) and Waymark's peak RSS while it sends (target < 300 MB).
 *
 * Three processes, so each figure is Waymark's alone: this one runs the Waymark server (its RSS
 * is sampled); a setup child queues the messages in the SQLite file before the server starts
 * (building 100,000 messages is the benchmark's garbage, not Waymark's); the sink, an
 * smtp-server that drains each message and answers 250, is another child.
 *
 * BENCH_EMAIL_MESSAGES (default 100,000) shrinks it; BENCH_EMAIL_CONNECTIONS (default 8) sets
 * the pool size.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SMTPServer } from "smtp-server";
import { loadConfig } from "../dist/config.js";
import { newMessageId } from "../dist/messages/message-id.js";
import { enqueueMessages } from "../dist/messages/outbox/enqueue.js";
import { startServer } from "../dist/server.js";
import { openStore } from "../dist/store/index.js";
import { report } from "./run.js";
import { drainOutbox } from "./support.js";

const total = Number(process.env.BENCH_EMAIL_MESSAGES ?? 100_000);
const connections = Number(process.env.BENCH_EMAIL_CONNECTIONS ?? 8);
const appId = "benchemail";
const self = fileURLToPath(import.meta.url);

/** The sink (`--sink`): listens on a free port, prints it, drains every message; says how many on SIGTERM. */
function runSink() {
  let received = 0;
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      stream.on("end", () => {
        received++;
        callback();
      });
      stream.resume();
    },
  });
  sink.listen(0, "127.0.0.1", () => console.log(`sink listening on ${sink.server.address().port}`));
  process.on("SIGTERM", () => {
    const cpu = process.cpuUsage();
    console.log(`sink received ${received} messages, ${Math.round((cpu.user + cpu.system) / 1000)} ms of CPU`);
    sink.close(() => process.exit(0));
  });
}

function queuedEmail(n) {
  return {
    id: newMessageId(),
    sendKey: `bench:${n}`,
    appId,
    channel: "EMAIL",
    address: `reader${n}@mail.example`,
    endpointId: `ep-${n}`,
    content: {
      kind: "email",
      fromAddress: "Shop <news@shop.example>",
      subject: `Spring sale, reader ${n}`,
      htmlBody: `<html><body><h1>Spring sale</h1><p>Hello reader ${n}, everything is 20% off this week.</p></body></html>`,
      textBody: `Spring sale\n\nHello reader ${n}, everything is 20% off this week.`,
      headers: [{ name: "X-Campaign", value: "spring" }],
      unsubscribeUrl: `https://waymark.example/t/u/${n}`,
    },
    origin: { campaignId: "bench" },
    context: {},
    sender: "news@shop.example",
    maxAttempts: 3,
    // Not due yet: the clock starts when the benchmark makes them all due at once.
    notBeforeMs: Date.now() + 3_600_000,
  };
}

/** The setup (`--enqueue <databaseUrl>`): migrates the database and queues the messages, 10,000 a transaction. */
async function runEnqueue(databaseUrl) {
  const store = openStore(databaseUrl);
  await store.migrate();
  await store.db
    .insertInto("apps")
    .values({ id: appId, name: "bench", creation_date: new Date().toISOString(), settings: "{}", tags: "{}" })
    .execute();
  for (let i = 0; i < total; i += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, total - i) }, (_, k) => queuedEmail(i + k));
    await store.db.transaction().execute((trx) => enqueueMessages(trx, batch));
  }
  await store.close();
}

async function startSink() {
  const child = spawn(process.execPath, [self, "--sink"], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`sink exited with ${code}`)));
    lines.once("line", (line) => resolve(Number(/listening on (\d+)/.exec(line)?.[1])));
  });
  return {
    port,
    /** Stops the sink; answers what it said about itself. */
    stop: () =>
      new Promise((resolve) => {
        lines.once("line", resolve);
        child.kill("SIGTERM");
      }),
  };
}

async function measure() {
  const dir = mkdtempSync(join(tmpdir(), "waymark-bench-email-"));
  const databaseUrl = `sqlite:${join(dir, "email.db")}`;
  await promisify(execFile)(process.execPath, [self, "--enqueue", databaseUrl], { maxBuffer: 1 << 20 });
  const sink = await startSink();
  let server;
  try {
    const config = loadConfig({
      env: {},
      cwd: dir,
      overrides: {
        databaseUrl,
        server: { host: "127.0.0.1", port: 0 },
        providers: { email: { type: "smtp", url: `smtp://127.0.0.1:${sink.port}`, maxConnections: connections } },
      },
    });
    server = await startServer(config, { logLevel: "silent" });
    const { db } = server.services.store;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 100);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await drainOutbox(server.services);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    const { sent } = await db
      .selectFrom("messages")
      .select((eb) => eb.fn.countAll().as("sent"))
      .where("status", "=", "SUCCESSFUL")
      .executeTakeFirstOrThrow();
    const rate = total / seconds;
    report(
      `${total.toLocaleString("en")} emails to a local SMTP sink`,
      `${Math.round(rate).toLocaleString("en")} msg/s`,
      "≥ 2,000",
      rate >= 2_000 && Number(sent) === total,
    );
    report(
      `${total.toLocaleString("en")} emails to a local SMTP sink, Waymark's peak RSS`,
      `${Math.round(peakRss / 1048576)} MB`,
      "< 300 MB",
      peakRss < 300 * 1048576,
    );
    console.log(
      `email: ${Number(sent).toLocaleString("en")} of ${total.toLocaleString("en")} SUCCESSFUL in ${seconds.toFixed(1)} s over ${connections} connections; Waymark used ${Math.round((cpu.user + cpu.system) / 1000)} ms of CPU`,
    );
  } finally {
    await server?.close();
    console.log(await sink.stop());
    rmSync(dir, { recursive: true, force: true });
  }
}

const enqueueAt = process.argv.indexOf("--enqueue");
if (process.argv.includes("--sink")) runSink();
else if (enqueueAt !== -1) await runEnqueue(process.argv[enqueueAt + 1]);
else await measure();
