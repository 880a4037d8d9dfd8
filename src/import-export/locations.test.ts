import { describe, expect, it } from "vitest";
import { PinpointError } from "../api/errors.js";
import { mapS3Url, resolveLocation } from "./locations.js";

describe("import and export locations", () => {
  const s3 = {
    "s3://imports": "file:///srv/imports",
    "s3://imports/big/": "https://files.example.com/big",
  };

  it("maps an s3:// URL through the longest configured prefix", () => {
    expect(mapS3Url("s3://imports/users.csv", s3)).toBe("file:///srv/imports/users.csv");
    expect(mapS3Url("s3://imports/big/part-1.csv", s3)).toBe("https://files.example.com/big/part-1.csv");
    expect(mapS3Url("s3://imports", s3)).toBe("file:///srv/imports");
  });

  it("does not let a prefix cover a bucket whose name merely starts with it", () => {
    expect(mapS3Url("s3://imports-old/users.csv", s3)).toBeUndefined();
  });

  it("resolves file:// and http(s):// URLs directly", () => {
    expect(resolveLocation("file:///data/a.csv", {})).toEqual({ kind: "file", path: "/data/a.csv" });
    expect(resolveLocation("s3://imports/a/", s3)).toEqual({ kind: "file", path: "/srv/imports/a/" });
    expect(resolveLocation("https://example.com/a.csv", {})).toEqual({
      kind: "http",
      url: "https://example.com/a.csv",
    });
  });

  it("answers an unmapped s3:// URL with a 400 that says how to map it", () => {
    const attempt = () => resolveLocation("s3://reports/q1.csv", s3);
    expect(attempt).toThrow(PinpointError);
    expect(attempt).toThrow(/"s3": \{ "s3:\/\/reports": "file:\/\/\/path\/to\/dir" \}/);
    expect(() => resolveLocation("ftp://example.com/a.csv", {})).toThrow(/s3:\/\/, file:\/\/ or http/);
  });
});
