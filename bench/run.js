/**
 * Runs Waymark's benchmarks: `npm run bench` runs every bench/*.bench.js in name order,
 * `npm run bench -- idle` runs bench/idle.bench.js alone (several names may be given).
 *
 * The contract for a benchmark file, bench/<name>.bench.js:
 * - Plain ESM JavaScript, run as its own process (`node bench/<name>.bench.js`, working directory
 *   the repository root) after `npm run build`; it imports Waymark from ../dist, never from src.
 *   Its own process keeps one benchmark's CPU, memory and open handles out of the next one's figures.
 * - It sets everything up itself (a temporary SQLite file or database, a server on port 0 with log
 *   level "silent") and removes it afterwards, then exits; a crash or non-zero exit counts as failed.
 * - It prints each figure with `report()` from this file, one line per figure, next to its target:
 *     idle CPU over 60 s: 0.3 % (target: timers only, < 1 %) PASS
 *   Anything else it prints (progress, details) must not end in PASS or MISS.
 * - Durations may be shortened by environment variables named BENCH_<NAME>_..., documented in
 *   the file's header comment, so CI can run a quick pass.
 *
 * This runner passes each benchmark's output through, then prints a summary and exits 1 if any
 * target was missed or any benchmark failed.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Prints one figure next to its target, in the one format the runner counts.
 * @example report("idle CPU over 60 s", "0.3 %", "timers only, < 1 %", 0.3 < 1)
 */
export function report(label, figure, target, pass) {
  console.log(`${label}: ${figure} (target: ${target}) ${pass ? "PASS" : "MISS"}`);
}

/** Runs one benchmark file in its own process; resolves with its exit code and PASS/MISS counts. */
function runBenchmark(root, file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join("bench", file)], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    const counts = { pass: 0, miss: 0 };
    let pending = "";
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk.toString("utf8")).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) count(line, counts);
    });
    child.on("close", (code) => {
      count(pending, counts);
      resolve({ code, ...counts });
    });
  });
}

function count(line, counts) {
  if (/\) PASS$/.test(line)) counts.pass += 1;
  if (/\) MISS$/.test(line)) counts.miss += 1;
}

async function main() {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const available = readdirSync(join(root, "bench"))
    .filter((file) => file.endsWith(".bench.js"))
    .sort();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !available.includes(`${name}.bench.js`));
  if (unknown.length > 0) {
    const names = available.map((file) => file.replace(/\.bench\.js$/, "")).join(", ");
    console.error(`No benchmark named ${unknown.join(", ")}; available: ${names}`);
    process.exit(2);
  }
  const files = wanted.length > 0 ? wanted.map((name) => `${name}.bench.js`) : available;

  const failed = [];
  let passed = 0;
  let missed = 0;
  for (const file of files) {
    console.log(`\n# ${file}`);
    const result = await runBenchmark(root, file);
    passed += result.pass;
    missed += result.miss;
    if (result.code !== 0) failed.push(`${file} (exit ${result.code})`);
  }
  console.log(`\n${passed} PASS, ${missed} MISS${failed.length ? `, failed: ${failed.join(", ")}` : ""}`);
  process.exitCode = missed > 0 || failed.length > 0 ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
