/**
 * OAuth access tokens for push services (FCM's service-account grant, ADM's client credentials):
 * requested from the service's token endpoint, kept until shortly before they expire, and shared
 * by every send in between, so a batch of a thousand messages makes one token request.
 */
import { type Dispatcher, request } from "undici";

export interface AccessToken {
  value: string;
  expiresAtMs: number;
}

/**
 * The token endpoint refused the credentials themselves (a revoked key, a wrong secret): no retry
 * helps until the operator updates the channel, so messages fail permanently with this message.
 */
export class CredentialsRefused extends Error {}

/** Renewed this long before expiry, so a token never runs out in the middle of a send. */
const renewalMarginMs = 60_000;

export class AccessTokenCache {
  private current: AccessToken | undefined;
  private pending: Promise<AccessToken> | undefined;

  constructor(private readonly fetchToken: () => Promise<AccessToken>) {}

  /** A token valid for at least another minute; concurrent callers share one request. */
  async get(now = Date.now()): Promise<string> {
    if (this.current && this.current.expiresAtMs - renewalMarginMs > now) return this.current.value;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    this.current = await this.pending;
    return this.current.value;
  }

  /** The service said this token is no longer good (revoked early, say): the next send asks for another. */
  invalidate(value: string): void {
    if (this.current?.value === value) this.current = undefined;
  }
}

/**
 * POSTs a form to an OAuth token endpoint and answers the bearer token it grants. A 4xx answer
 * means the credentials are wrong (CredentialsRefused); anything else is worth retrying later.
 * @example await requestAccessToken(agent, "https://oauth2.googleapis.com/token", { grant_type: "...", assertion })
 */
export async function requestAccessToken(
  dispatcher: Dispatcher,
  tokenUrl: string,
  form: Record<string, string>,
  now = Date.now(),
): Promise<AccessToken> {
  const response = await request(tokenUrl, {
    dispatcher,
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.body.text();
  const granted = parseGrant(text);
  if (response.statusCode >= 400 && response.statusCode < 500) {
    const reason = [granted.error, granted.error_description].filter(Boolean).join(": ");
    throw new CredentialsRefused(
      `The token endpoint refused the channel's credentials (${response.statusCode}${reason ? ` ${reason}` : ""})`,
    );
  }
  if (response.statusCode !== 200 || typeof granted.access_token !== "string") {
    throw new Error(`The token endpoint answered ${response.statusCode} without an access token`);
  }
  const lifetimeSeconds = typeof granted.expires_in === "number" ? granted.expires_in : 3600;
  return { value: granted.access_token, expiresAtMs: now + lifetimeSeconds * 1000 };
}

interface Grant {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

function parseGrant(text: string): Grant {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as Grant) : {};
  } catch {
    return {};
  }
}
