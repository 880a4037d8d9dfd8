/** Sends a raw, correctly signed request, for what the SDK would refuse to send (bad JSON, huge bodies). */
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { testCredentials } from "./server.js";

export async function signedFetch(
  baseUrl: string,
  method: string,
  path: string,
  body?: string | Buffer,
  credentials = testCredentials,
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const url = new URL(path, baseUrl);
  const signer = new SignatureV4({
    credentials,
    region: "us-east-1",
    service: "mobiletargeting",
    sha256: Hash.bind(null, "sha256"),
  });
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => {
    query[key] = value;
  });
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers: { host: url.host, "content-type": "application/json" },
      body,
    }),
  );
  const response = await fetch(url, { method, headers: signed.headers as Record<string, string>, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : {} };
}
