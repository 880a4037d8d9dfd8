/**
 * The built `waymark` command, run as a user runs it: a separate process, configured by its
 * environment, in a directory of its own. `npm test` builds dist first.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { GetAppsCommand, PinpointClient } from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

let directory: string;

/** Only what the command needs: no DATABASE_URL, keys or config file leak in from the test's own environment. */
function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, ...extra };
}

function waymark(args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: directory, env: environment(env) }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Resolves with the address from the "Waymark is ready" log line, or rejects if the process ends first. */
function readyAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; address?: string };
        if (entry.msg === "Waymark is ready" && entry.address) resolve(entry.address);
      } catch {
        // Not a log line; the ready line is what matters.
      }
    });
    child.once("exit", (code) => reject(new Error(`waymark start exited with ${code} before it was ready`)));
  });
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm test does)`);
  directory = mkdtempSync(join(tmpdir(), "waymark-cli-"));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("waymark CLI", () => {
  it("--help lists the start and migrate commands", async () => {
    const { code, stdout } = await waymark(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s+start\b/m);
    expect(stdout).toMatch(/^\s+migrate\b/m);
  });

  it("migrate applies the migrations, then says the database is up to date", async () => {
    const env = { DATABASE_URL: `sqlite:${join(directory, "migrate.db")}` };
    const first = await waymark(["migrate"], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Applied: 0001-foundation/);
    const second = await waymark(["migrate"], env);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe("The database is up to date.");
  });

  it("start serves signed API calls on the address it logs, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [cli, "start"], {
      cwd: directory,
      env: environment({ PORT: "0", DATABASE_URL: `sqlite:${join(directory, "start.db")}` }),
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const address = await readyAddress(child);
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = new PinpointClient({
        endpoint: address,
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDANYKEY", secretAccessKey: "any-secret" },
      });
      const apps = await client.send(new GetAppsCommand({}));
      client.destroy();
      expect(apps.ApplicationsResponse?.Item).toEqual([]);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });

  it.each([
    ["migrate", "an unsupported scheme", "mysql://localhost/waymark"],
    ["migrate", "an unreachable PostgreSQL", "postgres://postgres@127.0.0.1:1/waymark"],
    ["start", "an unsupported scheme", "mysql://localhost/waymark"],
    ["start", "an unreachable PostgreSQL", "postgres://postgres@127.0.0.1:1/waymark"],
  ])("%s with a bad DATABASE_URL (%s) fails with a one-line error and exit code 1", async (command, _, url) => {
    const { code, stderr } = await waymark([command], { DATABASE_URL: url, PORT: "0" });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^waymark: \S/);
  });
});
