/**
 * Signed JSON Web Tokens (compact JWS), made with node:crypto alone: FCM's OAuth assertion is an
 * RS256 token signed with the service account's key, and APNs' provider token is an ES256 token
 * signed with the team's .p8 key. Nothing else is needed from the JWT family, so no library.
 */
import { createPrivateKey, type KeyObject, sign } from "node:crypto";

export type SigningAlgorithm = "RS256" | "ES256";

function base64Url(value: string | Buffer): string {
  return Buffer.from(value).toString("base64url");
}

/**
 * Signs the claims with the key (a PEM string or a KeyObject). ES256 signatures are the raw
 * r‖s pair JWS asks for, not the DER form node:crypto makes by default.
 * @example signWebToken({ alg: "ES256", kid: "ABC123DEFG" }, { iss: "TEAM123456", iat: 1700000000 }, p8Pem)
 */
export function signWebToken(
  header: { alg: SigningAlgorithm } & Record<string, string>,
  claims: Record<string, string | number>,
  key: string | KeyObject,
): string {
  const privateKey = typeof key === "string" ? createPrivateKey(key) : key;
  const signingInput = `${base64Url(JSON.stringify({ typ: "JWT", ...header }))}.${base64Url(JSON.stringify(claims))}`;
  const signature =
    header.alg === "ES256"
      ? sign("sha256", Buffer.from(signingInput), { key: privateKey, dsaEncoding: "ieee-p1363" })
      : sign("sha256", Buffer.from(signingInput), privateKey);
  return `${signingInput}.${base64Url(signature)}`;
}
