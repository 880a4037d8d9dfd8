/**
 * Streams the records of one import file (a piece), never holding more than the parser's buffer:
 * CSV through csv-parse, JSON line by line. Records come in batches (what one read of the file
 * holds), so a million-row file costs a few hundred awaits rather than millions. A resumed job
 * passes the last line it applied and gets only the records after it.
 */
import { createInterface } from "node:readline";
import { pipeline, type Readable } from "node:stream";
import { Parser } from "csv-parse";
import { compileHeader, csvRecord } from "./csv-columns.js";
import { jsonRecord } from "./json-lines.js";
import type { ImportRecord } from "./record.js";

export type ImportFormat = "CSV" | "JSON";

/**
 * @example for await (const records of readRecords(stream, "CSV", 0)) apply(records);
 * Throws when the file cannot be read on (a broken stream, a header that is not Pinpoint's).
 */
export function readRecords(source: Readable, format: ImportFormat, afterLine: number): AsyncIterable<ImportRecord[]> {
  return format === "CSV" ? readCsv(source, afterLine) : readJsonLines(source, afterLine);
}

/** A row as csv-parse split it, or the reason it could not, with the line it ends on. */
type ParsedRow = { cells: string[]; line: number } | { failure: string; line: number };

/**
 * csv-parse, numbering each row by the line it ends on from the parser's live counters as the row
 * is pushed. (Its `info` option gives the same number but copies the parser's whole state for
 * every row: a tenth of an import's allocations.) Rows it skips are pushed in their place in the
 * file, so failures keep line order. Rows leave in one array per chunk of input, and only one such
 * array waits to be read.
 */
class NumberedParser extends Parser {
  private rows: ParsedRow[] = [];

  constructor() {
    // relax_quotes: a stray quote inside a value stays in it, rather than making csv-parse read on
    // to the next quote in the file and lose the rows in between.
    super({
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      readableHighWaterMark: 1,
      // The stream option is passed through to the Transform; csv-parse's types list only its own.
    } as ConstructorParameters<typeof Parser>[0]);
    this.on("skip", (error: Error | undefined) => {
      this.rows.push({ failure: error?.message ?? "not valid CSV", line: this.info.lines });
    });
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (Array.isArray(chunk)) {
      this.rows.push({ cells: chunk, line: this.info.lines });
      return true;
    }
    this.pushRows();
    return super.push(chunk, encoding);
  }

  override _transform(buffer: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    super._transform(buffer, encoding, (error?: Error | null) => {
      this.pushRows();
      callback(error);
    });
  }

  private pushRows(): void {
    if (this.rows.length === 0) return;
    super.push(this.rows);
    this.rows = [];
  }
}

async function* readCsv(source: Readable, afterLine: number): AsyncGenerator<ImportRecord[]> {
  const parser = new NumberedParser();
  pipeline(source, parser, () => {});
  let columns: ReturnType<typeof compileHeader> | undefined;
  for await (const rows of parser as AsyncIterable<ParsedRow[]>) {
    const records: ImportRecord[] = [];
    for (const row of rows) {
      if ("failure" in row) {
        if (row.line > afterLine) records.push({ line: row.line, error: `line ${row.line}: ${row.failure}` });
      } else if (!columns) {
        columns = compileHeader(row.cells);
      } else if (row.line > afterLine) {
        records.push(csvRecord(columns, row.cells, row.line));
      }
    }
    yield records;
  }
}

async function* readJsonLines(source: Readable, afterLine: number): AsyncGenerator<ImportRecord[]> {
  const lines = createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY });
  let failure: Error | undefined;
  source.once("error", (error) => {
    failure = error;
    lines.close();
  });
  let line = 0;
  let records: ImportRecord[] = [];
  for await (const text of lines) {
    line += 1;
    if (line <= afterLine) continue;
    const content = line === 1 ? text.replace(/^\uFEFF/, "") : text;
    if (content.trim() === "") continue;
    records.push(jsonRecord(content, line));
    if (records.length === 1000) {
      yield records;
      records = [];
    }
  }
  if (failure) throw failure;
  yield records;
}
