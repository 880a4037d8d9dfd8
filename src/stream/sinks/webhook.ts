import { request } from "undici";
import type { EventStreamSink } from "../../config.js";
import type { StreamSink } from "./sink.js";

/** A destination that has not answered in this long is treated as down and the batch retried. */
const timeoutMs = 10_000;

/**
 * POSTs each batch as one JSON array (`content-type: application/json`, plus the configured
 * headers). Any 2xx accepts the batch; any other status, a network error or a timeout retries it.
 */
export function webhookSink(config: Extract<EventStreamSink, { type: "webhook" }>): StreamSink {
  return {
    async deliver(records) {
      const response = await request(config.url, {
        method: "POST",
        headers: { ...config.headers, "content-type": "application/json" },
        body: JSON.stringify(records),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const answer = await response.body.text();
      if (response.statusCode < 200 || response.statusCode > 299) {
        throw new Error(`webhook ${config.url} answered ${response.statusCode}: ${answer.slice(0, 200)}`);
      }
    },
  };
}
