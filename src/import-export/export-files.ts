/**
 * Writing export files: gzipped newline-delimited JSON, one file (piece) at a time, to a folder or
 * by HTTP PUT. A file is written under a temporary name and renamed when complete, so a reader
 * never sees half a file and a resumed job simply writes it again.
 */
import { createWriteStream } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { request } from "undici";
import type { Location } from "./locations.js";

/** The name of an export job's nth file (from 1) under its prefix, as Pinpoint keys them by job. */
export function exportFileName(jobId: string, n: number): string {
  return `${jobId}/part-${String(n).padStart(5, "0")}.gz`;
}

/**
 * Writes `lines` (each a JSON document without its newline) gzipped to `name` under the location.
 * @example await writeExportFile({ kind: "file", path: "/exports" }, "job1/part-00001.gz", lines)
 */
export async function writeExportFile(location: Location, name: string, lines: AsyncIterable<string>): Promise<void> {
  const body = Readable.from(withNewlines(lines)).pipe(createGzip());
  if (location.kind === "file") {
    const path = join(location.path, name);
    const partial = `${path}.partial`;
    await mkdir(dirname(path), { recursive: true });
    await pipeline(body, createWriteStream(partial));
    await rename(partial, path);
    return;
  }
  const url = `${location.url.replace(/\/+$/, "")}/${name}`;
  const response = await request(url, { method: "PUT", body, headers: { "content-type": "application/gzip" } });
  await response.body.dump();
  if (response.statusCode < 200 || response.statusCode > 299) {
    throw new Error(`PUT ${url} answered HTTP ${response.statusCode}`);
  }
}

async function* withNewlines(lines: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const line of lines) yield `${line}\n`;
}
