import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import type { EventStreamSink } from "../../config.js";
import type { StreamSink } from "./sink.js";

/**
 * Appends each record as one line of JSON (NDJSON), creating the file and its folders as needed.
 * The batch counts as delivered only once fsync returns, so a crash cannot lose a delivered record.
 */
export function fileSink(config: Extract<EventStreamSink, { type: "file" }>): StreamSink {
  return {
    async deliver(records) {
      await mkdir(dirname(config.path), { recursive: true });
      const lines = records.map((record) => `${JSON.stringify(record)}\n`).join("");
      const file = await open(config.path, "a");
      try {
        await file.appendFile(lines, "utf8");
        await file.sync();
      } finally {
        await file.close();
      }
    },
  };
}
