/**
 * Streams the records of one import file (a piece), never holding more than the parser's buffer:
 * CSV through csv-parse, JSON line by line. A resumed job passes the last line it applied and
 * gets only the records after it.
 */
import { createInterface } from "node:readline";
import { pipeline, type Readable } from "node:stream";
import { parse } from "csv-parse";
import { compileHeader, csvRecord } from "./csv-columns.js";
import { jsonRecord } from "./json-lines.js";
import type { ImportRecord } from "./record.js";

export type ImportFormat = "CSV" | "JSON";

/**
 * @example for await (const record of readRecords(stream, "CSV", 0)) apply(record);
 * Throws when the file cannot be read on (a broken stream, a header that is not Pinpoint's).
 */
export function readRecords(source: Readable, format: ImportFormat, afterLine: number): AsyncIterable<ImportRecord> {
  return format === "CSV" ? readCsv(source, afterLine) : readJsonLines(source, afterLine);
}

async function* readCsv(source: Readable, afterLine: number): AsyncGenerator<ImportRecord> {
  // Rows csv-parse cannot split (a stray quote) are skipped by it and reported here, in line order.
  const skipped: ImportRecord[] = [];
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      const line = Number(error?.lines ?? 0);
      skipped.push({ line, error: `line ${line}: ${error?.message ?? "not valid CSV"}` });
      return undefined;
    },
  });
  pipeline(source, parser, () => {});
  let columns: ReturnType<typeof compileHeader> | undefined;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!columns) {
      columns = compileHeader(record);
      continue;
    }
    const line = info.lines;
    while (skipped.length > 0 && skipped[0].line < line) {
      const failure = skipped.shift() as ImportRecord;
      if (failure.line > afterLine) yield failure;
    }
    if (line > afterLine) yield csvRecord(columns, record, line);
  }
  for (const failure of skipped) if (failure.line > afterLine) yield failure;
}

async function* readJsonLines(source: Readable, afterLine: number): AsyncGenerator<ImportRecord> {
  const lines = createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY });
  let failure: Error | undefined;
  source.once("error", (error) => {
    failure = error;
    lines.close();
  });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (line <= afterLine) continue;
    const content = line === 1 ? text.replace(/^\uFEFF/, "") : text;
    if (content.trim() === "") continue;
    yield jsonRecord(content, line);
  }
  if (failure) throw failure;
}
