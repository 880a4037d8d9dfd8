/**
 * What several benchmarks need: a real `waymark start` child process (so the server has its own
 * process and core, as in production) and a throwaway PostgreSQL database.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import pg from "pg";

export const postgresServer = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
export const benchCredentials = { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" };

/**
 * Starts `waymark start` on a free port over the database; resolves once it is ready.
 * @example const server = await spawnWaymark("sqlite:/tmp/bench.db"); ...; await server.stop();
 */
export async function spawnWaymark(databaseUrl, env = {}) {
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under load.
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, "dist/cli/main.js", "start"], {
    env: {
      ...process.env,
      PORT: "0",
      LOG_LEVEL: "info",
      DATABASE_URL: databaseUrl,
      WAYMARK_ACCESS_KEY_ID: benchCredentials.accessKeyId,
      WAYMARK_SECRET_ACCESS_KEY: benchCredentials.secretAccessKey,
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`waymark exited with ${code}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const address = /"address":"([^"]+)".*Waymark is ready/.exec(line)?.[1];
      if (address) resolve(address);
    });
  });
  return { url, pid: child.pid, stop: () => new Promise((resolve) => child.once("exit", resolve).kill("SIGTERM")) };
}

/** Runs `measure` on a PostgreSQL database made for it, and drops the database afterwards. */
export async function withPostgresDatabase(prefix, measure) {
  const name = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${postgresServer}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    return await measure(`${postgresServer}/${name}`);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * Makes every queued message due, wakes the delivery loop, and resolves once none is QUEUED or
 * SENDING any more (polled every 100 ms, a cheap count on the status index).
 */
export async function drainOutbox(services) {
  const { db } = services.store;
  await db.updateTable("messages").set({ next_attempt_ms: Date.now() }).execute();
  services.delivery.wake();
  for (;;) {
    const { pending } = await db
      .selectFrom("messages")
      .select((eb) => eb.fn.countAll().as("pending"))
      .where("status", "in", ["QUEUED", "SENDING"])
      .executeTakeFirstOrThrow();
    if (Number(pending) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
