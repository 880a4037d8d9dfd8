import { readFileSync } from "node:fs";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compatibilityDocument, compatibilityTable } from "../src/api/compatibility.js";
import { operations, signingName } from "../src/api/model/index.js";
import { servedOperations } from "../src/api/plugin.js";
import { databases, startTestServer, type TestServer, testCredentials } from "./support/server.js";

const repository = (path: string) => new URL(`../${path}`, import.meta.url);

describe("the API model", () => {
  it("is a byte-identical copy of the one in aws-sdk v2", () => {
    const vendored = readFileSync(repository("src/api/model/pinpoint-2016-12-01.json"));
    const published = readFileSync(repository("node_modules/aws-sdk/apis/pinpoint-2016-12-01.min.json"));
    expect(vendored.equals(published), "src/api/model/pinpoint-2016-12-01.json differs from aws-sdk v2's").toBe(true);
  });
});

describe("docs/compatibility.md", () => {
  it("is what the generator produces from the route table now", () => {
    const committed = readFileSync(compatibilityDocument, "utf8");
    expect(committed, "docs/compatibility.md is out of date: run npm run docs:compat").toBe(
      compatibilityTable(operations, servedOperations()),
    );
  });

  it("lists every operation of the model once", () => {
    const table = compatibilityTable(operations, servedOperations());
    const rows = table.split("\n").filter((line) => /^\| [A-Z]\w+ \| (GET|POST|PUT|DELETE) \|/.test(line));
    expect(operations).toHaveLength(122);
    expect(rows).toHaveLength(operations.length);
    expect(table).toContain(`**${servedOperations().length} of 122 operations supported.**`);
  });
});

const signer = new SignatureV4({
  credentials: testCredentials,
  region: "us-east-1",
  service: signingName,
  sha256: Hash.bind(null, "sha256"),
});

/** Calls a path with a request signed as the SDK signs it, without a body. */
async function signedCall(base: string, method: string, path: string): Promise<Response> {
  const url = new URL(path, base);
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path,
      headers: { host: url.host },
    }),
  );
  return fetch(url, { method, headers: signed.headers as Record<string, string> });
}

describe.each(databases)("served operations on %s", (kind) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(kind);
  });
  afterAll(() => t.close());

  it("each reaches its handler: no route-not-found, no refused signature, no server error", async () => {
    const served = new Set(servedOperations());
    const unrouted: string[] = [];
    for (const operation of operations.filter((op) => served.has(op.name))) {
      const method = operation.http.method ?? "POST";
      const path = operation.http.requestUri.replace(/\{[^}]+\}/g, "dummy");
      const response = await signedCall(t.url, method, path);
      const text = await response.text();
      // 403 would mean the signature was refused before the handler ran.
      if (text.includes("No operation matches") || response.status === 403 || response.status >= 500) {
        unrouted.push(`${operation.name} (${method} ${path}): ${response.status} ${text}`);
      }
    }
    expect(unrouted).toEqual([]);
  });

  it("a path no operation serves answers route-not-found, which the check above looks for", async () => {
    const response = await signedCall(t.url, "GET", "/v1/no-such-resource");
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("No operation matches");
  });
});
