/**
 * Where an event stream's records go. Waymark has no Kinesis: config.eventStreams maps each
 * destination ARN to one of these sinks.
 */
import type { EventStreamSink } from "../../config.js";
import { fileSink } from "./file.js";
import { webhookSink } from "./webhook.js";

export interface StreamSink {
  /**
   * Delivers a batch of records, in order. Resolving means the destination holds every record
   * durably; throwing means the whole batch is retried later (so a sink may see a record twice).
   */
  deliver(records: unknown[]): Promise<void>;
}

/** @example await sinkFor({ type: "file", path: "./data/events.ndjson" }).deliver(records); */
export function sinkFor(config: EventStreamSink): StreamSink {
  switch (config.type) {
    case "webhook":
      return webhookSink(config);
    case "file":
      return fileSink(config);
  }
}
