/**
 * The files (pieces) an import reads. A location names one file, or a folder or prefix whose files
 * are all imported, subfolders included, as Pinpoint does with an S3 prefix. Files whose extension
 * belongs to the other format are left out, as Pinpoint imports only those matching Format.
 */
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import type { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { request } from "undici";
import type { Location } from "./locations.js";
import type { ImportFormat } from "./read-records.js";

const otherFormatExtensions: Record<ImportFormat, string[]> = {
  CSV: [".json", ".jsonl", ".ndjson"],
  JSON: [".csv"],
};

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

async function kindOf(path: string): Promise<"file" | "directory" | "missing"> {
  try {
    const stats = await stat(path);
    return stats.isDirectory() ? "directory" : "file";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw error;
  }
}

/** The files a path names: itself, everything under it, or (as an S3 key prefix) its namesakes. */
async function filesAt(path: string): Promise<string[]> {
  const kind = await kindOf(path);
  if (kind === "file") return [path];
  if (kind === "directory") return filesUnder(path);
  const parent = dirname(path);
  if ((await kindOf(parent)) !== "directory") return [];
  const prefix = basename(path);
  const matches = (await readdir(parent)).filter((name) => name.startsWith(prefix)).map((name) => join(parent, name));
  return (await Promise.all(matches.map(filesAt))).flat();
}

/**
 * Lists the pieces of an import, as URLs in name order (the order a resumed job relies on).
 * @example await listPieces({ kind: "file", path: "/data/imports/" }, "CSV") // ["file:///data/imports/a.csv", ...]
 */
export async function listPieces(location: Location, format: ImportFormat): Promise<string[]> {
  if (location.kind === "http") return [location.url];
  const files = (await filesAt(location.path))
    .filter((file) => !basename(file).startsWith("."))
    .filter((file) => !otherFormatExtensions[format].includes(extname(file).toLowerCase()))
    .sort();
  return files.map((file) => pathToFileURL(file).href);
}

/** Opens a piece for streaming; throws with a reason a person can act on when it cannot be read. */
export async function openPiece(piece: string): Promise<Readable> {
  if (piece.startsWith("file://")) {
    // 64 KB reads: each becomes one batch of rows (~800 of the benchmark's), so few are alive at once.
    const stream = createReadStream(new URL(piece), { highWaterMark: 64 * 1024 });
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", reject);
    });
    return stream;
  }
  const response = await request(piece, { method: "GET" });
  if (response.statusCode < 200 || response.statusCode > 299) {
    await response.body.dump();
    throw new Error(`${piece} answered HTTP ${response.statusCode}`);
  }
  return response.body;
}
