/** Runs the built `waymark start` as a real child process, for tests that kill it. */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { testCredentials } from "./server.js";

export const cliPath = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** kill -9: no shutdown hook runs. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

export async function spawnServer(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [cliPath, "start"], {
    env: {
      ...process.env,
      PORT: "0",
      DATABASE_URL: databaseUrl,
      WAYMARK_ACCESS_KEY_ID: testCredentials.accessKeyId,
      WAYMARK_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
      WAYMARK_POLL_INTERVAL_MS: "200",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("exit", (code) => reject(new Error(`waymark exited with ${code}: ${stderr}`)));
    lines.on("line", (line) => {
      const address = /"address":"([^"]+)".*Waymark is ready/.exec(line)?.[1];
      if (address) resolve(address);
    });
  });
  return {
    child,
    url,
    async crash() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
