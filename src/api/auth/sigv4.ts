/**
 * AWS Signature Version 4, checked on the server side. The canonical request is rebuilt by the
 * same signer the AWS SDK for JavaScript uses (@smithy/signature-v4), from exactly the headers the
 * client says it signed, and the signatures are compared in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { forbidden, type PinpointError } from "../errors.js";

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequest {
  method: string;
  /** The path as it came on the wire, still percent-encoded, without the query. */
  rawPath: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface SigningScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

/** How far a request's x-amz-date may stray from the server's clock, as AWS allows. */
export const maxClockSkewMs = 15 * 60 * 1000;

const authorizationPattern =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;\-_.]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/i;

const sha256 = Hash.bind(null, "sha256");

function header(headers: SignedRequest["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** `20261123T112233Z` → Date, or undefined if it is not that form. */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks a request's signature. Resolves to its scope, or rejects with the 403 error AWS answers.
 * With no keys configured (`keys` empty), a well-formed signature from any key is accepted.
 * @example await verifySignature(request, [{ accessKeyId: "AKID", secretAccessKey: "secret" }], "mobiletargeting")
 */
export async function verifySignature(
  request: SignedRequest,
  keys: AccessKey[],
  service: string,
  now: Date = new Date(),
): Promise<SigningScope> {
  const authorization = header(request.headers, "authorization");
  if (!authorization) throw forbidden("Missing Authentication Token", "MissingAuthenticationTokenException");
  const match = authorizationPattern.exec(authorization);
  if (!match) {
    throw forbidden(
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.",
      "IncompleteSignatureException",
    );
  }
  const [, accessKeyId, date, region, scopeService, signedHeaderList, signature] = match;
  const amzDate = header(request.headers, "x-amz-date");
  const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!signingDate || !amzDate?.startsWith(date)) {
    throw forbidden(
      "Authorization header requires existence of a valid x-amz-date header.",
      "IncompleteSignatureException",
    );
  }
  if (Math.abs(now.getTime() - signingDate.getTime()) > maxClockSkewMs) {
    throw forbidden(
      `Signature expired: ${amzDate} is now earlier than ${new Date(now.getTime() - maxClockSkewMs).toISOString()}`,
      "InvalidSignatureException",
    );
  }
  if (scopeService !== service) {
    throw forbidden(`Credential should be scoped to correct service: '${service}'.`, "InvalidSignatureException");
  }
  const scope = { accessKeyId, date, region, service };
  if (keys.length === 0) return scope;

  const key = findKey(keys, accessKeyId);
  if (!key) throw unrecognizedClient();

  const signedHeaders = signedHeaderList.toLowerCase().split(";");
  const expected = await computeSignature(request, key, signedHeaders, scope, signingDate);
  if (!constantTimeEqual(expected, signature.toLowerCase())) {
    throw forbidden(
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      "InvalidSignatureException",
    );
  }
  return scope;
}

/** Looks at every key whatever matches, so the time taken does not tell which keys exist. */
function findKey(keys: AccessKey[], accessKeyId: string): AccessKey | undefined {
  let found: AccessKey | undefined;
  for (const key of keys) {
    if (constantTimeEqual(key.accessKeyId, accessKeyId)) found = key;
  }
  return found;
}

function unrecognizedClient(): PinpointError {
  return forbidden("The security token included in the request is invalid.", "UnrecognizedClientException");
}

async function computeSignature(
  request: SignedRequest,
  key: AccessKey,
  signedHeaders: string[],
  { region, service }: SigningScope,
  signingDate: Date,
): Promise<string> {
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = header(request.headers, name) ?? "";
  // The signer trusts a declared payload hash; a client's claim is replaced by the body's real hash,
  // so a body changed in transit fails the comparison.
  if ("x-amz-content-sha256" in headers) {
    headers["x-amz-content-sha256"] = createHash("sha256").update(request.body).digest("hex");
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    region,
    service,
    sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: "http:",
      hostname: header(request.headers, "host") ?? "",
      path: request.rawPath,
      query: request.query,
      headers,
      body: request.body,
    }),
    { signingDate, signingRegion: region, signableHeaders: new Set(signedHeaders) },
  );
  const produced = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization));
  return produced?.[1] ?? "";
}
