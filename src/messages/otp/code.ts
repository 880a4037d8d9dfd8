/**
 * One-time password codes: drawn at random, and kept only as a salted scrypt hash. A code of 5 to
 * 8 digits is quick to guess offline from a plain hash; scrypt makes each guess cost tens of
 * milliseconds, so a leaked table yields nothing before the codes expire.
 */
import { randomBytes, randomInt, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

const hashOptions: ScryptOptions = { N: 16_384, r: 8, p: 1 };
const hashLength = 32;

export interface CodeHash {
  salt: string;
  hash: string;
}

/** A code of `length` decimal digits, leading zeros included, from the system's CSPRNG. */
export function generateCode(length: number): string {
  return String(randomInt(0, 10 ** length)).padStart(length, "0");
}

/** A fresh salt and the code's hash under it, both base64. */
export async function hashCode(code: string): Promise<CodeHash> {
  const salt = randomBytes(16).toString("base64");
  return { salt, hash: (await derive(code, salt)).toString("base64") };
}

/** Whether `code` is the one hashed, compared in constant time. */
export async function codeMatches(code: string, stored: CodeHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, "base64");
  const actual = await derive(code, stored.salt);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function derive(code: string, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(code, Buffer.from(salt, "base64"), hashLength, hashOptions, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}
