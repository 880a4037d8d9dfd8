/**
 * APNs token authentication: a provider token is an ES256 JWT naming the signing key (kid) and the
 * team (iss), signed with the channel's .p8 key. Apple accepts one for an hour and refuses new ones
 * more often than every twenty minutes, so one is made every fifty minutes and shared by all sends.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import { signWebToken } from "./web-token.js";

const tokenLifetimeMs = 50 * 60 * 1000;

export class ProviderToken {
  private readonly key: KeyObject;
  private current: { value: string; madeAtMs: number } | undefined;

  /** Throws when the key does not parse, so the channel is reported unusable before any send. */
  constructor(
    signingKey: string,
    private readonly keyId: string,
    private readonly teamId: string,
  ) {
    this.key = createPrivateKey(signingKey);
  }

  /** The `authorization` header value for the next request. */
  bearer(now = Date.now()): string {
    if (!this.current || now - this.current.madeAtMs >= tokenLifetimeMs) {
      const value = signWebToken(
        { alg: "ES256", kid: this.keyId },
        { iss: this.teamId, iat: Math.floor(now / 1000) },
        this.key,
      );
      this.current = { value, madeAtMs: now };
    }
    return `bearer ${this.current.value}`;
  }

  /** APNs said the token expired (a clock skew, a long sleep): the next request gets a new one. */
  expire(bearer: string): void {
    if (this.current && `bearer ${this.current.value}` === bearer) this.current = undefined;
  }
}
