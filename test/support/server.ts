/**
 * Starts a real Waymark on a random port over a fresh database: a new SQLite file, or a new
 * PostgreSQL database on 127.0.0.1:5432 (TEST_POSTGRES_URL overrides the server).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PinpointClient } from "@aws-sdk/client-pinpoint";
import pg from "pg";
import type { Clock } from "../../src/clock.js";
import { type Config, loadConfig } from "../../src/config.js";
import { type RunningServer, startServer } from "../../src/server.js";

export type DatabaseKind = "sqlite" | "postgres";
export const databases: DatabaseKind[] = ["sqlite", "postgres"];

export const postgresServerUrl = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database no other test uses. */
export async function freshDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "waymark-test-"));
    return {
      url: `sqlite:${join(dir, "waymark.db")}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `waymark_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: `${postgresServerUrl}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `${postgresServerUrl}/${name}`,
    async drop() {
      const client = new pg.Client({ connectionString: `${postgresServerUrl}/postgres` });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export const testCredentials = { accessKeyId: "AKIDWAYMARKTEST", secretAccessKey: "waymark-test-secret" };

export interface TestServer {
  server: RunningServer;
  url: string;
  client: PinpointClient;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * `options.database` starts the server on an existing database (another test server's, after
 * `server.close()`), to prove what survives a restart; closing the new server drops it.
 */
export async function startTestServer(
  kind: DatabaseKind,
  overrides: Partial<Config> & Record<string, unknown> = {},
  options: { database?: TestDatabase; clock?: Clock } = {},
): Promise<TestServer> {
  const database = options.database ?? (await freshDatabase(kind));
  const config = loadConfig({
    env: {},
    cwd: tmpdir(),
    overrides: {
      databaseUrl: database.url,
      accessKeys: [testCredentials],
      pollIntervalMs: 200,
      ...overrides,
      server: { host: "127.0.0.1", port: 0 },
    },
  });
  const server = await startServer(config, { logLevel: process.env.LOG_LEVEL ?? "silent", clock: options.clock });
  const client = new PinpointClient({ endpoint: server.url, region: "us-east-1", credentials: testCredentials });
  return {
    server,
    url: server.url,
    client,
    database,
    async close() {
      client.destroy();
      await server.close();
      await database.drop();
    },
  };
}
