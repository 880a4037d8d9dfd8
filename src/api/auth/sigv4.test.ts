import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { type SignedRequest, verifySignature } from "./sigv4.js";

const key = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const now = new Date("2026-11-23T12:00:00Z");

async function sign(
  overrides: {
    path?: string;
    body?: string;
    service?: string;
    date?: Date;
    query?: Record<string, string | string[]>;
  } = {},
): Promise<SignedRequest> {
  const signer = new SignatureV4({
    credentials: key,
    region: "eu-west-1",
    service: overrides.service ?? "mobiletargeting",
    sha256: Hash.bind(null, "sha256"),
  });
  const body = overrides.body ?? '{"Name":"x"}';
  const path = overrides.path ?? "/v1/tags/arn%3Aaws%3Amobiletargeting%3Aeu-west-1%3A1%3Aapps%2Fabc";
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      hostname: "127.0.0.1",
      port: 8080,
      path,
      query: overrides.query ?? {},
      headers: { host: "127.0.0.1:8080", "content-type": "application/json" },
      body,
    }),
    { signingDate: overrides.date ?? now },
  );
  return {
    method: "POST",
    rawPath: path,
    query: overrides.query ?? {},
    headers: signed.headers,
    body: Buffer.from(body),
  };
}

describe("SigV4 verification", () => {
  it("accepts a request the AWS SDK signer signed, and reports its scope", async () => {
    const scope = await verifySignature(await sign({ query: { tagKeys: ["a", "b"] } }), [key], "mobiletargeting", now);
    expect(scope).toEqual({
      accessKeyId: "AKIDEXAMPLE",
      date: "20261123",
      region: "eu-west-1",
      service: "mobiletargeting",
    });
  });

  it("refuses a body changed after signing", async () => {
    const request = await sign();
    request.body = Buffer.from('{"Name":"y"}');
    await expect(verifySignature(request, [key], "mobiletargeting", now)).rejects.toMatchObject({
      statusCode: 403,
      errorType: "InvalidSignatureException",
    });
  });

  it("refuses a path or query changed after signing", async () => {
    const moved = await sign();
    moved.rawPath = "/v1/apps/other";
    await expect(verifySignature(moved, [key], "mobiletargeting", now)).rejects.toMatchObject({
      errorType: "InvalidSignatureException",
    });
    const requery = await sign({ query: { "page-size": "1" } });
    requery.query = { "page-size": "2" };
    await expect(verifySignature(requery, [key], "mobiletargeting", now)).rejects.toMatchObject({
      errorType: "InvalidSignatureException",
    });
  });

  it("refuses a wrong secret, an unknown key, another service and an old signature", async () => {
    const request = await sign();
    await expect(
      verifySignature(request, [{ ...key, secretAccessKey: "nope" }], "mobiletargeting", now),
    ).rejects.toMatchObject({ errorType: "InvalidSignatureException" });
    await expect(
      verifySignature(request, [{ ...key, accessKeyId: "OTHER" }], "mobiletargeting", now),
    ).rejects.toMatchObject({ errorType: "UnrecognizedClientException" });
    await expect(verifySignature(await sign({ service: "s3" }), [key], "mobiletargeting", now)).rejects.toMatchObject({
      errorType: "InvalidSignatureException",
    });
    const stale = await sign({ date: new Date(now.getTime() - 16 * 60 * 1000) });
    await expect(verifySignature(stale, [key], "mobiletargeting", now)).rejects.toThrow(/Signature expired/);
    const within = await sign({ date: new Date(now.getTime() - 14 * 60 * 1000) });
    await expect(verifySignature(within, [key], "mobiletargeting", now)).resolves.toBeTruthy();
  });

  it("refuses a missing or malformed Authorization header", async () => {
    const request = await sign();
    await expect(verifySignature({ ...request, headers: {} }, [key], "mobiletargeting", now)).rejects.toMatchObject({
      errorType: "MissingAuthenticationTokenException",
    });
    const garbled = { ...request, headers: { ...request.headers, authorization: "AWS4-HMAC-SHA256 Credential=oops" } };
    await expect(verifySignature(garbled, [key], "mobiletargeting", now)).rejects.toMatchObject({
      errorType: "IncompleteSignatureException",
    });
  });

  it("with no keys configured accepts any well-formed signature but still checks its form and age", async () => {
    const request = await sign();
    await expect(verifySignature(request, [], "mobiletargeting", now)).resolves.toMatchObject({
      accessKeyId: "AKIDEXAMPLE",
    });
    const stale = await sign({ date: new Date(now.getTime() - 60 * 60 * 1000) });
    await expect(verifySignature(stale, [], "mobiletargeting", now)).rejects.toThrow(/Signature expired/);
  });
});
