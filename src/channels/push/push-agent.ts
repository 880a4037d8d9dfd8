/**
 * The HTTP client push providers send through (undici, the project's one HTTP client). HTTPS
 * origins negotiate HTTP/2 by ALPN, as FCM and Amazon's endpoints offer, so one connection carries
 * many concurrent sends; plain http:// origins (a local stand-in, a sidecar) speak HTTP/2 without
 * TLS (h2c).
 */
import { Agent, Client, H2CClient } from "undici";

/** Long enough for a slow provider, short enough that a hung one ends as a retryable failure. */
const responseTimeoutMs = 30_000;
/** Concurrent streams on one HTTP/2 connection; the server's own SETTINGS lower it when smaller. */
const streamsPerConnection = 100;

/** A connection pool for one provider; close it with the provider. */
export function createPushAgent(): Agent {
  const timeouts = { headersTimeout: responseTimeoutMs, bodyTimeout: responseTimeoutMs };
  return new Agent({
    ...timeouts,
    factory: (origin, options) =>
      new URL(origin).protocol === "http:"
        ? new H2CClient(origin, { ...options, ...timeouts, maxConcurrentStreams: streamsPerConnection })
        : new Client(origin, { ...options, ...timeouts, allowH2: true, pipelining: streamsPerConnection }),
  });
}
