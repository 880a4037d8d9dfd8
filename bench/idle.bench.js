/**
 * An idle server should cost nothing but its timers: the job worker's poll (pollIntervalMs, 2 s by
 * default) and nothing else. Starts Waymark over a fresh SQLite file, leaves it alone for 60 s
 * (BENCH_IDLE_SECONDS shortens it) and reports the process's CPU time over that window as a share
 * of one core.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { loadConfig } from "../dist/config.js";
import { startServer } from "../dist/server.js";
import { report } from "./run.js";

const seconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const targetPercent = 1;

const directory = mkdtempSync(join(tmpdir(), "waymark-bench-idle-"));
try {
  const config = loadConfig({
    env: {},
    cwd: directory,
    overrides: { databaseUrl: `sqlite:${join(directory, "waymark.db")}`, server: { host: "127.0.0.1", port: 0 } },
  });
  const server = await startServer(config, { logLevel: "silent" });
  try {
    const before = process.cpuUsage();
    await sleep(seconds * 1000);
    const used = process.cpuUsage(before);
    const percent = ((used.user + used.system) / (seconds * 1_000_000)) * 100;
    report(
      `idle CPU over ${seconds} s`,
      `${percent.toFixed(2)} %`,
      `timers only, < ${targetPercent} %`,
      percent < targetPercent,
    );
  } finally {
    await server.close();
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}
