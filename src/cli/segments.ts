/** `waymark segments size <app-id> <segment-id>`: how many endpoints a segment holds, read from the database. */
import type { Command } from "commander";
import { loadConfig } from "../config.js";
import { segmentSize } from "../segments/index.js";
import { createServices } from "../services.js";
import { openStore } from "../store/index.js";

export function registerSegmentsCommand(program: Command): void {
  const segments = program.command("segments").description("look into an application's segments");
  segments
    .command("size")
    .description("count the endpoints a segment holds now (its current version unless --segment-version)")
    .argument("<app-id>", "the application (project) id")
    .argument("<segment-id>", "the segment id")
    // Not --version: the root command answers that one with Waymark's own version.
    .option("--segment-version <number>", "count an earlier version of the segment")
    .option("-d, --database <url>", "sqlite:<file> or postgres://... (default from the config, or DATABASE_URL)")
    .option("--json", "print {ApplicationId, SegmentId, Version, Size} as JSON")
    .action(
      async (
        appId: string,
        segmentId: string,
        options: { segmentVersion?: string; database?: string; json?: boolean },
      ) => {
        const version = options.segmentVersion === undefined ? undefined : Number(options.segmentVersion);
        if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
          throw new Error("--segment-version must be a version number from 1");
        }
        const config = loadConfig({ overrides: options.database ? { databaseUrl: options.database } : {} });
        const store = openStore(config.databaseUrl);
        try {
          const size = await segmentSize(createServices(config, store), appId, segmentId, version);
          console.log(
            options.json
              ? JSON.stringify(size)
              : `${size.Size.toLocaleString("en-US")} endpoints in segment ${segmentId} (version ${size.Version})`,
          );
        } finally {
          await store.close();
        }
      },
    );
}
