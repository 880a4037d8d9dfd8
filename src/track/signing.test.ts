import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import { createServices } from "../services.js";
import { openStore } from "../store/index.js";
import { linkUrl, readLink } from "./links.js";
import { signingKey, signToken, verifyToken } from "./signing.js";

const key = randomBytes(32);

describe("signing link tokens", () => {
  const token = signToken(key, '{"k":"o","a":"app"}');

  it("gives back the payload of a token it signed", () => {
    expect(verifyToken(key, token)).toBe('{"k":"o","a":"app"}');
  });

  it("refuses a token signed with another key", () => {
    expect(verifyToken(randomBytes(32), token)).toBeUndefined();
  });

  it("refuses a token whose payload was changed", () => {
    const [payload, signature] = token.split(".");
    const forged = Buffer.from('{"k":"o","a":"other"}').toString("base64url");
    expect(verifyToken(key, `${forged}.${signature}`)).toBeUndefined();
    expect(verifyToken(key, `${payload}A.${signature}`)).toBeUndefined();
  });

  it("refuses every other spelling of the signature", () => {
    const [payload, signature] = token.split(".");
    // The last character holds 4 bits of the signature and 2 spare ones: these spellings decode alike.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(signature.at(-1) ?? "");
    const variants = [0, 1, 2, 3]
      .map((spare) => (last & ~3) | spare)
      .filter((index) => index !== last)
      .map((index) => signature.slice(0, -1) + alphabet[index]);
    for (const variant of variants)
      expect(Buffer.from(variant, "base64url")).toEqual(Buffer.from(signature, "base64url"));
    for (const variant of [...variants, `${signature}=`, `${signature}!`, signature.slice(0, -1), ""]) {
      expect(verifyToken(key, `${payload}.${variant}`)).toBeUndefined();
    }
  });

  it("refuses tokens that are not two dot-separated parts", () => {
    for (const malformed of ["", ".", token.replace(".", ""), `${token}.x`, `.${token}`]) {
      expect(verifyToken(key, malformed)).toBeUndefined();
    }
  });
});

describe("reading tracking links", () => {
  const recipient = { appId: "app-1", messageId: "m-1", endpointId: "e/1 ü" };
  const tokenOf = (url: string, path: string) => url.slice(url.indexOf(path) + path.length);

  it("reads back a click link's recipient, target and index", () => {
    const url = linkUrl("https://mail.example.com/", key, {
      ...recipient,
      kind: "click",
      url: "https://example.com/a?b=1&c=2",
      index: 3,
    });
    expect(url.startsWith("https://mail.example.com/t/c/")).toBe(true);
    expect(readLink(key, "click", tokenOf(url, "/t/c/"))).toEqual({
      ...recipient,
      kind: "click",
      url: "https://example.com/a?b=1&c=2",
      index: 3,
    });
  });

  it("names the open pixel .gif and reads it only with that suffix", () => {
    const url = linkUrl("https://mail.example.com", key, { ...recipient, kind: "open" });
    expect(url).toMatch(/^https:\/\/mail\.example\.com\/t\/o\/[\w-]+\.[\w-]+\.gif$/);
    const segment = tokenOf(url, "/t/o/");
    expect(readLink(key, "open", segment)).toEqual({ ...recipient, kind: "open" });
    expect(readLink(key, "open", segment.replace(/\.gif$/, ""))).toBeUndefined();
  });

  it("refuses a link of one kind presented as another", () => {
    const url = linkUrl("https://mail.example.com", key, { ...recipient, kind: "open" });
    const token = tokenOf(url, "/t/o/").replace(/\.gif$/, "");
    expect(readLink(key, "unsubscribe", token)).toBeUndefined();
    expect(readLink(key, "click", token)).toBeUndefined();
  });

  it("carries the address when the message had no endpoint", () => {
    const url = linkUrl("https://mail.example.com", key, {
      appId: "app-1",
      messageId: "m-2",
      address: "a@example.com",
      kind: "unsubscribe",
    });
    expect(readLink(key, "unsubscribe", tokenOf(url, "/t/u/"))).toEqual({
      appId: "app-1",
      messageId: "m-2",
      address: "a@example.com",
      kind: "unsubscribe",
    });
  });
});

describe("the stored signing key", () => {
  const dir = mkdtempSync(join(tmpdir(), "waymark-signing-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is created once and agreed on by processes starting together", async () => {
    const databaseUrl = `sqlite:${join(dir, "waymark.db")}`;
    const config = loadConfig({ env: {}, cwd: dir, overrides: { databaseUrl } });
    const setup = openStore(databaseUrl);
    await setup.migrate();
    await setup.close();
    const stores = Array.from({ length: 4 }, () => openStore(databaseUrl));
    try {
      const keys = await Promise.all(stores.map((store) => signingKey(createServices(config, store))));
      expect(keys[0]).toHaveLength(32);
      for (const other of keys) expect(other.equals(keys[0])).toBe(true);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it("is config.signingSecret when one is configured", async () => {
    const signingSecret = "s".repeat(40);
    const store = openStore(`sqlite:${join(dir, "unused.db")}`);
    try {
      const config = loadConfig({ env: {}, cwd: dir, overrides: { signingSecret } });
      expect((await signingKey(createServices(config, store))).toString("utf8")).toBe(signingSecret);
    } finally {
      await store.close();
    }
  });
});
