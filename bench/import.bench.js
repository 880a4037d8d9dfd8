/**
 * Importing endpoints from a CSV file must be fast and flat in memory: a million rows (Id,
 * ChannelType, Address, a few attributes, User.UserId) imported through CreateImportJob on SQLite
 * within 60 s, the process's RSS staying under 300 MB throughout (sampled every 100 ms).
 * BENCH_IMPORT_ROWS shrinks the file for a quick pass.
 *
 * A child process writes the CSV first (`--generate <file>`), so the garbage of building a million
 * lines is not counted in Waymark's RSS; this process runs the server and samples its RSS.
 *
 * Run alone with `npm run build && node bench/import.bench.js`.
 */
import { execFile } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import {
  CreateAppCommand,
  CreateImportJobCommand,
  GetImportJobCommand,
  PinpointClient,
} from "@aws-sdk/client-pinpoint";
import { loadConfig } from "../dist/config.js";
import { startServer } from "../dist/server.js";
import { report } from "./run.js";

const rows = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const targetSeconds = 60;
const targetRssMb = 300;
const plans = ["free", "gold", "platinum"];
const cities = ["Paris", "Lima", "Osaka", "Accra", "Oslo"];

/** Writes the CSV a row at a time, honouring back-pressure, so generating it costs no memory either. */
async function writeCsv(path) {
  const out = createWriteStream(path);
  out.write(
    "Id,ChannelType,Address,Attributes.Plan,Attributes.City,Attributes.Interest,Attributes.Interest,User.UserId\n",
  );
  for (let i = 0; i < rows; i++) {
    const line = `ep-${i},EMAIL,user${i}@example.com,${plans[i % 3]},${cities[i % 5]},"music, live",books,user-${i}\n`;
    if (!out.write(line)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

async function main() {
  const directory = mkdtempSync(join(tmpdir(), "waymark-bench-import-"));
  try {
    await importInto(directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function importInto(directory) {
  const csv = join(directory, "endpoints.csv");
  const generating = performance.now();
  await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), "--generate", csv]);
  const megabytes = statSync(csv).size / 1024 / 1024;
  console.log(
    `generated ${rows.toLocaleString("en-US")} rows (${megabytes.toFixed(0)} MB) in ${((performance.now() - generating) / 1000).toFixed(1)} s`,
  );

  const config = loadConfig({
    env: {},
    cwd: directory,
    overrides: {
      databaseUrl: `sqlite:${join(directory, "waymark.db")}`,
      server: { host: "127.0.0.1", port: 0 },
    },
  });
  const server = await startServer(config, { logLevel: "silent" });
  const client = new PinpointClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  try {
    const app = await client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Import bench" } }));
    const appId = app.ApplicationResponse.Id;
    const started = performance.now();
    const created = await client.send(
      new CreateImportJobCommand({
        ApplicationId: appId,
        ImportJobRequest: {
          Format: "CSV",
          S3Url: pathToFileURL(csv).href,
          RoleArn: "arn:aws:iam::000000000000:role/bench",
          RegisterEndpoints: true,
        },
      }),
    );
    let job = created.ImportJobResponse;
    while (job.JobStatus !== "COMPLETED" && job.JobStatus !== "FAILED") {
      await new Promise((resolve) => setTimeout(resolve, 200));
      job = (await client.send(new GetImportJobCommand({ ApplicationId: appId, JobId: job.Id }))).ImportJobResponse;
    }
    const seconds = (performance.now() - started) / 1000;
    if (job.JobStatus !== "COMPLETED" || job.TotalProcessed !== rows || job.TotalFailures !== 0) {
      throw new Error(`the import did not complete cleanly: ${JSON.stringify(job)}`);
    }
    const rssMb = peakRss / 1024 / 1024;
    report(
      `import ${rows.toLocaleString("en-US")} endpoints from CSV (SQLite)`,
      `${seconds.toFixed(1)} s`,
      `≤ ${targetSeconds} s`,
      seconds <= targetSeconds,
    );
    report("peak RSS during import", `${rssMb.toFixed(0)} MB`, `< ${targetRssMb} MB`, rssMb < targetRssMb);
  } finally {
    clearInterval(sampler);
    client.destroy();
    await server.close();
  }
}

if (process.argv[2] === "--generate") await writeCsv(process.argv[3]);
else await main();
