/**
 * `waymark broadcast --app <id> --event-type <type> [--attribute key=value ...] [--metric key=number ...]
 * [--id <id>]`: sends a broadcast (docs/broadcasts.md) through the database, as the API does, and
 * follows its fan-out until every matched journey has entered its whole segment. The fan-out itself
 * is done by the running `waymark start` processes, which take its jobs up at their next poll.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { loadConfig } from "../config.js";
import { type BroadcastResponse, createBroadcast, getBroadcast } from "../journeys/broadcasts/index.js";
import { createServices, type Services } from "../services.js";
import { openStore } from "../store/index.js";
import { ProgressReporter } from "./progress.js";

interface BroadcastOptions {
  app: string;
  eventType: string;
  attribute: string[];
  metric: string[];
  id?: string;
  database?: string;
  wait: boolean;
}

/** How long nothing may move before the command says what it is waiting for. */
const quietHintMs = 15_000;

export function registerBroadcastCommand(program: Command): void {
  program
    .command("broadcast")
    .description(
      "send a company-wide event: every ACTIVE journey whose broadcast trigger matches it enters its whole segment",
    )
    .requiredOption("--app <id>", "the application (project) id")
    .requiredOption("--event-type <type>", "the event's EventType, e.g. feature_release")
    .option("--attribute <key=value>", "an event attribute (repeat for more)", collect, [])
    .option("--metric <key=number>", "an event metric (repeat for more)", collect, [])
    .option("--id <id>", "the broadcast's id: sending the same id again enters nobody twice (default: a new id)")
    .option("-d, --database <url>", "sqlite:<file> or postgres://... (default from the config, or DATABASE_URL)")
    .option("--no-wait", "send and exit, without following the progress")
    .action(async (options: BroadcastOptions) => {
      const request = {
        Id: options.id,
        EventType: options.eventType,
        Attributes: pairs(options.attribute, "--attribute", (value) => value),
        Metrics: pairs(options.metric, "--metric", metricValue),
      };
      const config = loadConfig({ overrides: options.database ? { databaseUrl: options.database } : {} });
      const store = openStore(config.databaseUrl);
      try {
        const services = createServices(config, store);
        const sent = await createBroadcast(services, options.app, request);
        describe(sent);
        if (sent.Journeys.length === 0 || !options.wait) return;
        const done = await follow(services, sent);
        summarize(done);
      } finally {
        await store.close();
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function pairs<T>(values: string[], option: string, parse: (value: string, key: string) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const text of values) {
    const at = text.indexOf("=");
    if (at <= 0) throw new Error(`${option} takes key=value, not "${text}"`);
    const key = text.slice(0, at);
    out[key] = parse(text.slice(at + 1), key);
  }
  return out;
}

function metricValue(value: string, key: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number))
    throw new Error(`--metric ${key} must be a number, not "${value}"`);
  return number;
}

function describe(broadcast: BroadcastResponse): void {
  if (broadcast.Journeys.length === 0) {
    console.log(`Broadcast ${broadcast.Id} is recorded. ${broadcast.Message ?? ""}`.trim());
    return;
  }
  const journeys = broadcast.Journeys.length === 1 ? "1 journey" : `${broadcast.Journeys.length} journeys`;
  console.log(`Broadcast ${broadcast.Id} (${broadcast.EventType}) starts ${journeys}.`);
}

/** Polls the broadcast until it is DONE, showing entered of segment size. */
async function follow(services: Services, broadcast: BroadcastResponse): Promise<BroadcastResponse> {
  const progress = new ProgressReporter(process.stdout, "endpoints entered");
  let current = broadcast;
  let lastChangeMs = Date.now();
  let hinted = false;
  while (current.State !== "DONE") {
    progress.update(current.EndpointsEntered, current.SegmentSize);
    await sleep(500);
    const next = await getBroadcast(services, current.ApplicationId, current.Id);
    if (next.EndpointsEntered !== current.EndpointsEntered || next.SegmentSize !== current.SegmentSize) {
      lastChangeMs = Date.now();
    } else if (!hinted && Date.now() - lastChangeMs > quietHintMs && next.SegmentSize === undefined) {
      // Nothing has started: the jobs are waiting for a server.
      hinted = true;
      process.stdout.write(
        `${process.stdout.isTTY ? "\n" : ""}Waiting for a Waymark server to take up the fan-out: is \`waymark start\` running on this database?\n`,
      );
    }
    current = next;
  }
  progress.finish(current.EndpointsEntered, current.SegmentSize ?? current.EndpointsEntered);
  return current;
}

function summarize(broadcast: BroadcastResponse): void {
  for (const journey of broadcast.Journeys) {
    const stopped = journey.State === "STOPPED" ? " (stopped: the journey was cancelled or closed)" : "";
    console.log(
      `  journey ${journey.JourneyId}: ${journey.EndpointsEntered.toLocaleString("en-US")} entered${stopped}`,
    );
  }
  console.log(
    `Broadcast ${broadcast.Id} is done: ${broadcast.EndpointsEntered.toLocaleString("en-US")} endpoints entered.`,
  );
}
