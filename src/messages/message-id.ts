import { randomUUID } from "node:crypto";

/** The id's first 15 characters (48-bit millisecond time, version 7) for the last millisecond an id was made in. */
let prefixMs = -1;
let prefix = "";

/**
 * A new message id (returned to clients as MessageId). UUIDv7 ids are time-ordered, so the outbox's,
 * the sandbox's and the events' indexes on them grow at one edge instead of taking inserts at random
 * pages: with random v4 ids each batch dirtied a page per message per index, and the sandbox pipeline
 * fell from 21,000 to 9,500 messages/s as 100,000 messages accumulated; with v7 it held ~17,500.
 *
 * Made from node's randomUUID() (a v4: 122 random bits from a pooled CSPRNG, RFC variant bits set)
 * with its first 48 bits replaced by the Unix time in milliseconds and its version nibble by 7, as
 * RFC 9562 lays out UUIDv7: 0.4 µs an id where the `uuid` package's v7() took 2.8 µs (0.8 s of CPU
 * in a 100,000-endpoint broadcast). Ids made in the same millisecond are not ordered among
 * themselves (RFC 9562 leaves that optional); they share the index's edge all the same.
 * @example const id = newMessageId(); // "019ab3c2-7d1e-7a4c-9b1f-2c8e5d0f6a13"
 */
export function newMessageId(): string {
  const now = Date.now();
  if (now !== prefixMs) {
    const time = now.toString(16).padStart(12, "0");
    prefix = `${time.slice(0, 8)}-${time.slice(8)}-7`;
    prefixMs = now;
  }
  // randomUUID() is "xxxxxxxx-xxxx-4xxx-...": keep what follows the version digit.
  return prefix + randomUUID().slice(15);
}
