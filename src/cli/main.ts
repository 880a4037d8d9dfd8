#!/usr/bin/env node
/**
 * The `waymark` command: start the server, run migrations. `waymark --help` lists the rest.
 */
import { Command } from "commander";
import { loadConfig } from "../config.js";
import { startServer } from "../server.js";
import { openStore } from "../store/index.js";
import { registerBroadcastCommand } from "./broadcast.js";
import { keepHeapNearLiveSize } from "./heap-growth.js";
import { registerOutboxCommand } from "./outbox.js";
import { registerSegmentsCommand } from "./segments.js";

const program = new Command()
  .name("waymark")
  .description("Self-hosted customer engagement engine speaking the Amazon Pinpoint API")
  .version("0.1.0")
  .showHelpAfterError();

program
  .command("start")
  .description("start the API server and the background workers")
  .option("-p, --port <port>", "port to listen on (default 8080, or PORT)")
  .option("-H, --host <host>", "address to listen on (default 127.0.0.1, or HOST)")
  .option("-d, --database <url>", "sqlite:<file> or postgres://... (default sqlite:./data/waymark.db, or DATABASE_URL)")
  .action(async (options: { port?: string; host?: string; database?: string }) => {
    keepHeapNearLiveSize();
    const server: Record<string, unknown> = {};
    if (options.port) server.port = options.port;
    if (options.host) server.host = options.host;
    const config = loadConfig({
      overrides: { server, ...(options.database ? { databaseUrl: options.database } : {}) },
    });
    const running = await startServer(config);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        running.app.log.info(`${signal}: finishing work in progress`);
        running.close().then(() => process.exit(0));
      });
    }
  });

program
  .command("migrate")
  .description("apply pending database migrations and exit")
  .option("-d, --database <url>", "sqlite:<file> or postgres://...")
  .action(async (options: { database?: string }) => {
    const config = loadConfig({ overrides: options.database ? { databaseUrl: options.database } : {} });
    const store = openStore(config.databaseUrl);
    try {
      const applied = await store.migrate();
      console.log(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
    } finally {
      await store.close();
    }
  });

registerOutboxCommand(program);
registerSegmentsCommand(program);
registerBroadcastCommand(program);

program.parseAsync().catch((error: unknown) => {
  console.error(`waymark: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
