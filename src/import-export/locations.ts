/**
 * Where import files are read from and export files written to. Pinpoint names S3 locations;
 * Waymark reads file:// and http(s):// URLs directly, and maps s3:// URLs through config.s3
 * (an s3:// prefix → a file:// or http(s):// base, the longest prefix winning).
 */
import { fileURLToPath } from "node:url";
import { badRequest } from "../api/errors.js";

export type Location = { kind: "file"; path: string } | { kind: "http"; url: string };

function trimSlashes(text: string): string {
  return text.replace(/\/+$/, "");
}

/** The configured base an s3:// URL maps to, or undefined when no prefix of config.s3 covers it. */
export function mapS3Url(url: string, s3: Record<string, string>): string | undefined {
  let best: { prefix: string; base: string } | undefined;
  for (const [configured, base] of Object.entries(s3)) {
    const prefix = trimSlashes(configured);
    const covers = url === prefix || url.startsWith(`${prefix}/`);
    if (covers && (!best || prefix.length > best.prefix.length)) best = { prefix, base };
  }
  return best && trimSlashes(best.base) + url.slice(best.prefix.length);
}

/**
 * Resolves an S3Url or S3UrlPrefix to a place Waymark can reach; anything else is a 400 that says
 * what to do about it.
 * @example resolveLocation("s3://exports/app1/", { "s3://exports": "file:///var/waymark/exports" })
 */
export function resolveLocation(url: string, s3: Record<string, string>, member = "S3Url"): Location {
  if (url.startsWith("s3://")) {
    const mapped = mapS3Url(url, s3);
    if (!mapped) {
      const bucket = url.slice("s3://".length).split("/")[0];
      throw badRequest(
        `${member} ${url} is not mapped to a place Waymark can reach: add "s3": { "s3://${bucket}": "file:///path/to/dir" } (or an http(s):// base) to waymark.config.json`,
      );
    }
    if (mapped.startsWith("s3://")) throw badRequest(`config.s3 maps ${url} to another s3:// URL`);
    return resolveLocation(mapped, s3, member);
  }
  if (url.startsWith("file://")) {
    try {
      return { kind: "file", path: fileURLToPath(url) };
    } catch (error) {
      throw badRequest(`${member} ${url} is not a valid file URL: ${(error as Error).message}`);
    }
  }
  if (/^https?:\/\//.test(url)) {
    if (!URL.canParse(url)) throw badRequest(`${member} ${url} is not a valid URL`);
    return { kind: "http", url };
  }
  throw badRequest(`${member} must be an s3://, file:// or http(s):// URL`);
}
