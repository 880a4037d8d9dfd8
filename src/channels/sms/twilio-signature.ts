/**
 * Twilio's request signature (X-Twilio-Signature): base64 HMAC-SHA1, keyed with the account's auth
 * token, of the full URL Twilio called followed by each POST parameter's name and value, sorted by
 * name. It proves a callback came from whoever holds the auth token.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The signature Twilio sends for a request.
 * @example twilioSignature("https://example.com/hook?app=1", new URLSearchParams("To=%2B1&Body=Hi"), token)
 */
export function twilioSignature(url: string, params: URLSearchParams, authToken: string): string {
  // By name, and a repeated name by value, as Twilio orders them.
  const entries = [...params.entries()].sort(([a, x], [b, y]) => compare(a, b) || compare(x, y));
  const signed = url + entries.map(([name, value]) => name + value).join("");
  return createHmac("sha1", authToken).update(signed, "utf8").digest("base64");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether the request carries a valid signature; compared in constant time so a guess learns nothing. */
export function verifyTwilioSignature(
  url: string,
  params: URLSearchParams,
  authToken: string,
  signature: string | undefined,
): boolean {
  if (!signature) return false;
  const expected = Buffer.from(twilioSignature(url, params, authToken));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
