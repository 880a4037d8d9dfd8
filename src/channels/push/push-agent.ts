/**
 * The HTTP client push providers send through (undici, the project's one HTTP client): a pool of
 * connections per origin, each carrying one request at a time. HTTPS origins negotiate HTTP/2 by
 * ALPN where the service offers it; plain http:// origins (a local stand-in, a sidecar) speak
 * HTTP/2 without TLS (h2c).
 *
 * Why not many streams on one connection: undici multiplexes (or pipelines, on HTTP/1.1) only
 * requests marked idempotent, and replays the ones queued behind a failed request on a new
 * connection. A push send is not idempotent: a replay can reach the phone twice. Concurrency comes
 * from parallel connections instead, so a failure only ever loses the one request in flight.
 */
import { Agent, H2CClient, Pool } from "undici";

/** Long enough for a slow provider, short enough that a hung one ends as a retryable failure. */
const responseTimeoutMs = 30_000;

/** Sends in flight to one provider; providers use it as their batch concurrency too. */
export const connectionsPerOrigin = 16;

/** A connection pool for one provider; close it with the provider. */
export function createPushAgent(): Agent {
  const timeouts = { headersTimeout: responseTimeoutMs, bodyTimeout: responseTimeoutMs };
  return new Agent({
    ...timeouts,
    factory: (origin, options) =>
      new URL(origin).protocol === "http:"
        ? new Pool(origin, {
            connections: connectionsPerOrigin,
            factory: (poolOrigin) => new H2CClient(poolOrigin, timeouts),
          })
        : new Pool(origin, { ...options, ...timeouts, connections: connectionsPerOrigin, allowH2: true }),
  });
}
