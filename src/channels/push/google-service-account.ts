/**
 * A Google service account key (the GCM channel's ServiceJson) and the OAuth 2.0 JWT bearer grant
 * FCM HTTP v1 senders use: an RS256 assertion signed with the account's key, exchanged at the
 * account's token_uri for an access token scoped to Firebase Cloud Messaging.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import type { Dispatcher } from "undici";
import { type AccessToken, requestAccessToken } from "./access-token.js";
import { signWebToken } from "./web-token.js";

const messagingScope = "https://www.googleapis.com/auth/firebase.messaging";
const googleTokenUrl = "https://oauth2.googleapis.com/token";
const assertionLifetimeSeconds = 3600;

export interface ServiceAccount {
  projectId: string;
  clientEmail: string;
  privateKey: KeyObject;
  tokenUrl: string;
}

/**
 * Reads the key file; the channel API checked its members when it was stored, so a failure here
 * means the stored key is unusable (its private key does not parse) and is reported as such.
 */
export function readServiceAccount(serviceJson: string): ServiceAccount {
  const account = JSON.parse(serviceJson) as Record<string, unknown>;
  const text = (name: string): string => {
    const value = account[name];
    if (typeof value !== "string" || value === "") throw new Error(`The service account key has no ${name}`);
    return value;
  };
  return {
    projectId: text("project_id"),
    clientEmail: text("client_email"),
    privateKey: createPrivateKey(text("private_key")),
    tokenUrl: typeof account.token_uri === "string" && account.token_uri !== "" ? account.token_uri : googleTokenUrl,
  };
}

/**
 * Exchanges a freshly signed assertion for an access token. `tokenUrl` replaces the key's token_uri
 * (config.providers.fcm.tokenUrl) while the assertion's audience stays what Google expects.
 */
export function requestMessagingToken(
  dispatcher: Dispatcher,
  account: ServiceAccount,
  tokenUrl: string,
  now = Date.now(),
): Promise<AccessToken> {
  const issuedAt = Math.floor(now / 1000);
  const assertion = signWebToken(
    { alg: "RS256" },
    {
      iss: account.clientEmail,
      scope: messagingScope,
      aud: account.tokenUrl,
      iat: issuedAt,
      exp: issuedAt + assertionLifetimeSeconds,
    },
    account.privateKey,
  );
  return requestAccessToken(
    dispatcher,
    tokenUrl,
    { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion },
    now,
  );
}
