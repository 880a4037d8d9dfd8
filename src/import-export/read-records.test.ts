import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readRecords } from "./read-records.js";

async function read(text: string, format: "CSV" | "JSON", afterLine = 0) {
  const records = [];
  for await (const batch of readRecords(Readable.from([text]), format, afterLine)) records.push(...batch);
  return records;
}

describe("reading the records of an import file", () => {
  const csv =
    'Id,ChannelType,Address\n1,EMAIL,"x,y"\n4,EMAIL,"two\nlines"\n2,EMAIL,"bad"q\n\n5,EMAIL\n6,EMAIL,z\n9,EMAIL,"open\n';

  it("numbers CSV rows by the line they end on, losing no row to a stray quote", async () => {
    const records = await read(csv, "CSV");
    expect(records.map((r) => [r.line, "endpoint" in r ? r.endpoint.Address : "error" in r ? r.error : ""])).toEqual([
      [2, "x,y"],
      [4, "two\nlines"],
      [5, '"bad"q'],
      [7, "line 7: 2 values for 3 columns"],
      [8, "z"],
      [9, expect.stringMatching(/^line 9: Quote Not Closed/)],
    ]);
  });

  it("gives a resumed job only the records after its checkpoint line", async () => {
    expect((await read(csv, "CSV", 6)).map((r) => r.line)).toEqual([7, 8, 9]);
    const json = '{"Id":"a"}\n\n{"Id":"b"}\n{"Id":"c"}\n';
    expect((await read(json, "JSON", 3)).map((r) => r.line)).toEqual([4]);
  });
});
