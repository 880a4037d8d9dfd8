/**
 * Signatures on the links Waymark puts in messages (open pixel, click redirect, unsubscribe): an
 * HMAC-SHA256 over the link's payload, so nobody can make a link Waymark did not, or change where
 * one leads or whom it unsubscribes. The key is config.signingSecret, else a random one kept in
 * the database, so every process and every restart signs and checks alike and old links keep
 * working. The key is never logged and never leaves this module except as signatures.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { Services } from "../services.js";
import type { Database, Store } from "../store/index.js";

const secretSetting = "signing_secret";
const signatureBytes = 32;

/** One key per store (per process in production; tests run several servers, one store each). */
const storedKeys = new WeakMap<Store, Promise<Buffer>>();

/**
 * The key links are signed with. Without config.signingSecret, the first process to ask creates a
 * random 32-byte secret in `waymark_settings`; an insert that finds one already there keeps it,
 * and every process reads back whichever won, so concurrent first starts agree.
 * @example const token = signToken(await signingKey(services), JSON.stringify(payload));
 */
export function signingKey(services: Services): Promise<Buffer> {
  const configured = services.config.signingSecret;
  if (configured) return Promise.resolve(Buffer.from(configured, "utf8"));
  const { store } = services;
  let key = storedKeys.get(store);
  if (!key) {
    key = readOrCreateSecret(store.db).catch((error: unknown) => {
      storedKeys.delete(store);
      throw error;
    });
    storedKeys.set(store, key);
  }
  return key;
}

async function readOrCreateSecret(db: Kysely<Database>): Promise<Buffer> {
  await db
    .insertInto("waymark_settings")
    .values({ name: secretSetting, value: randomBytes(32).toString("base64url") })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  const row = await db
    .selectFrom("waymark_settings")
    .select("value")
    .where("name", "=", secretSetting)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.value, "base64url");
}

/**
 * A token for a URL: `<payload>.<signature>`, both base64url, so it needs no escaping in a path.
 * @example signToken(key, '{"k":"o"}') // "eyJrIjoibyJ9.3q2-..."
 */
export function signToken(key: Buffer, payload: string): string {
  const encoded = Buffer.from(payload, "utf8").toString("base64url");
  return `${encoded}.${mac(key, encoded).toString("base64url")}`;
}

/**
 * The payload of a token this key signed, or undefined for anything else (malformed, altered,
 * signed with another key). The comparison takes the same time wherever the signatures differ.
 * @example verifyToken(key, token) // '{"k":"o"}' or undefined
 */
export function verifyToken(key: Buffer, token: string): string | undefined {
  const dot = token.indexOf(".");
  if (dot <= 0 || dot !== token.lastIndexOf(".")) return undefined;
  const encoded = token.slice(0, dot);
  const signature = token.slice(dot + 1);
  const given = Buffer.from(signature, "base64url");
  // Node's decoder skips stray characters and spare bits: only the one canonical spelling is accepted.
  if (given.length !== signatureBytes || given.toString("base64url") !== signature) return undefined;
  if (!timingSafeEqual(given, mac(key, encoded))) return undefined;
  return Buffer.from(encoded, "base64url").toString("utf8");
}

function mac(key: Buffer, encodedPayload: string): Buffer {
  return createHmac("sha256", key).update(encodedPayload).digest();
}
