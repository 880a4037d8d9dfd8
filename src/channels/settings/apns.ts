/**
 * The four APNs channels (production, sandbox, VoIP, VoIP sandbox) share one set of rules: a
 * certificate with its private key, or a token signing key with its key ID, bundle ID and team ID,
 * and a default authentication method that names one the channel has.
 */
import type { APNSChannelRequest } from "@aws-sdk/client-pinpoint";
import { badRequest } from "../../api/errors.js";
import type { ChannelKind } from "./kind.js";
import { requireText } from "./kind.js";

const authenticationMethods = ["CERTIFICATE", "TOKEN"] as const;
type AuthenticationMethod = (typeof authenticationMethods)[number];

const tokenMembers = ["TokenKey", "TokenKeyId", "BundleId", "TeamId"] as const;

const pemCertificate = /-----BEGIN CERTIFICATE-----/;
const pemPrivateKey = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;

/** Certificate and private key replace each other only together: a new certificate with the old key never works. */
function checkCertificate(merged: APNSChannelRequest, request: APNSChannelRequest): boolean {
  if ((request.Certificate === undefined) !== (request.PrivateKey === undefined)) {
    throw badRequest("Certificate and PrivateKey must be given together");
  }
  if (merged.Certificate === undefined) return false;
  if (!pemCertificate.test(requireText(merged.Certificate, "Certificate"))) {
    throw badRequest("Certificate must be a PEM-encoded certificate (-----BEGIN CERTIFICATE-----)");
  }
  if (!pemPrivateKey.test(requireText(merged.PrivateKey, "PrivateKey"))) {
    throw badRequest("PrivateKey must be a PEM-encoded private key (-----BEGIN PRIVATE KEY-----)");
  }
  return true;
}

/** Token authentication needs all four of its members, or none. */
function checkToken(merged: APNSChannelRequest): boolean {
  if (tokenMembers.every((name) => merged[name] === undefined)) return false;
  for (const name of tokenMembers) requireText(merged[name], `${name} (for token authentication)`);
  if (!pemPrivateKey.test(merged.TokenKey ?? "")) {
    throw badRequest("TokenKey must be the PEM-encoded signing key (.p8) from Apple");
  }
  return true;
}

function authenticationMethod(value: string): AuthenticationMethod {
  const method = authenticationMethods.find((m) => m === value.toUpperCase());
  if (!method) throw badRequest("DefaultAuthenticationMethod must be CERTIFICATE or TOKEN");
  return method;
}

export const apnsChannel: ChannelKind<APNSChannelRequest> = {
  members: [
    "BundleId",
    "Certificate",
    "DefaultAuthenticationMethod",
    "Enabled",
    "PrivateKey",
    "TeamId",
    "TokenKey",
    "TokenKeyId",
  ],
  hasCredential: true,
  settle(merged, request) {
    const hasCertificate = checkCertificate(merged, request);
    const hasToken = checkToken(merged);
    if (!hasCertificate && !hasToken) {
      throw badRequest(
        "The APNs channel needs credentials: Certificate and PrivateKey, or TokenKey, TokenKeyId, BundleId and TeamId",
      );
    }
    const method = authenticationMethod(
      merged.DefaultAuthenticationMethod ?? (hasCertificate ? "CERTIFICATE" : "TOKEN"),
    );
    if (method === "CERTIFICATE" && !hasCertificate) {
      throw badRequest("DefaultAuthenticationMethod CERTIFICATE needs a Certificate and PrivateKey");
    }
    if (method === "TOKEN" && !hasToken) {
      throw badRequest("DefaultAuthenticationMethod TOKEN needs TokenKey, TokenKeyId, BundleId and TeamId");
    }
    return { ...merged, DefaultAuthenticationMethod: method };
  },
  describe: (settings) => ({
    DefaultAuthenticationMethod: settings.DefaultAuthenticationMethod,
    HasTokenKey: settings.TokenKey !== undefined,
  }),
};
