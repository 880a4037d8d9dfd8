/**
 * The delivery pipeline with the sandbox channel:
 * - SendMessages to one address over HTTP (a real `waymark start` child process, sequential
 *   requests through the AWS SDK): p99 latency, target < 10 ms;
 * - 100,000 messages queued in the outbox and delivered to the sandbox by the background loop
 *   (server in this process): messages/s, target ≥ 20,000.
 *
 * BENCH_SEND_REQUESTS (default 2,000) and BENCH_PIPELINE_MESSAGES (default 100,000) shrink it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateAppCommand, PinpointClient, SendMessagesCommand } from "@aws-sdk/client-pinpoint";
import { loadConfig } from "../dist/config.js";
import { newMessageId } from "../dist/messages/message-id.js";
import { enqueueMessages } from "../dist/messages/outbox/enqueue.js";
import { startServer } from "../dist/server.js";
import { report } from "./run.js";
import { benchCredentials, drainOutbox, spawnWaymark } from "./support.js";

const requests = Number(process.env.BENCH_SEND_REQUESTS ?? 2000);
const pipelineMessages = Number(process.env.BENCH_PIPELINE_MESSAGES ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), "waymark-bench-messages-"));

async function sendMessagesLatency() {
  const server = await spawnWaymark(`sqlite:${join(dir, "send.db")}`);
  const url = server.url;
  const client = new PinpointClient({
    endpoint: url,
    region: "us-east-1",
    credentials: benchCredentials,
    maxAttempts: 1,
  });
  const app = await client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "bench" } }));
  const appId = app.ApplicationResponse.Id;
  const send = (i) =>
    client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          Addresses: { [`user${i}@example.com`]: { ChannelType: "EMAIL" } },
          MessageConfiguration: {
            EmailMessage: {
              FromAddress: "bench@example.com",
              SimpleEmail: { Subject: { Data: "Your code" }, TextPart: { Data: `Code ${i}` } },
            },
          },
        },
      }),
    );
  for (let i = 0; i < 200; i++) await send(i); // warm-up
  const latencies = [];
  let failed = 0;
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    const answer = await send(1000 + i);
    latencies.push(performance.now() - t0);
    if (answer.MessageResponse.Result[`user${1000 + i}@example.com`].DeliveryStatus !== "SUCCESSFUL") failed++;
  }
  client.destroy();
  await server.stop();
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.floor(latencies.length * 0.99)];
  report(
    "SendMessages to one address, sandbox, p99",
    `${p99.toFixed(2)} ms (median ${latencies[latencies.length >> 1].toFixed(2)} ms, ${failed} not delivered)`,
    "< 10 ms",
    p99 < 10 && failed === 0,
  );
}

async function pipelineThroughput() {
  const config = loadConfig({
    env: {},
    cwd: dir,
    overrides: { databaseUrl: `sqlite:${join(dir, "pipeline.db")}`, server: { host: "127.0.0.1", port: 0 } },
  });
  const server = await startServer(config, { logLevel: "silent" });
  const { db } = server.services.store;
  const appId = "benchapp";
  await db
    .insertInto("apps")
    .values({ id: appId, name: "bench", creation_date: new Date().toISOString(), settings: "{}", tags: "{}" })
    .execute();
  const notBefore = Date.now() + 3_600_000;
  for (let i = 0; i < pipelineMessages; i += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, pipelineMessages - i) }, (_, k) => ({
      id: newMessageId(),
      sendKey: `bench:${i + k}`,
      appId,
      channel: "EMAIL",
      address: `user${i + k}@example.com`,
      endpointId: `ep-${i + k}`,
      content: { kind: "email", fromAddress: "news@example.com", subject: "News", textBody: "Hello", headers: [] },
      origin: { campaignId: "bench" },
      context: {},
      sender: "news@example.com",
      maxAttempts: 3,
      notBeforeMs: notBefore,
    }));
    await db.transaction().execute((trx) => enqueueMessages(trx, batch));
  }
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const started = performance.now();
  await drainOutbox(server.services);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const delivered = await db
    .selectFrom("sandbox_messages")
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  await server.close();
  const rate = pipelineMessages / seconds;
  report(
    `${pipelineMessages.toLocaleString("en")} messages through the pipeline to the sandbox (SQLite)`,
    `${Math.round(rate).toLocaleString("en")} msg/s, ${Number(delivered.n).toLocaleString("en")} delivered, peak RSS ${Math.round(peakRss / 1048576)} MB`,
    "≥ 20,000 msg/s",
    rate >= 20_000 && Number(delivered.n) === pipelineMessages,
  );
}

try {
  await sendMessagesLatency();
  await pipelineThroughput();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
