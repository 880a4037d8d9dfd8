import { describe, expect, it } from "vitest";
import { compileHeader, csvRecord, HeaderError } from "./csv-columns.js";
import { derivedEndpointId } from "./record.js";

describe("CSV import columns", () => {
  it("maps Pinpoint's dot-notation columns onto an endpoint definition", () => {
    const columns = compileHeader([
      "Id",
      "ChannelType",
      "Address",
      "Location.Country",
      "Location.Latitude",
      "Demographic.Platform",
      "Metrics.visits",
      "User.UserId",
      " User.UserAttributes.FirstName",
    ]);
    const record = csvRecord(columns, ["e1", "SMS", "+16045550182", "CA", "49.2", "Android", "3", "u1", "Ada"], 2);
    expect(record).toEqual({
      line: 2,
      endpoint: {
        Id: "e1",
        ChannelType: "SMS",
        Address: "+16045550182",
        Location: { Country: "CA", Latitude: 49.2 },
        Demographic: { Platform: "Android" },
        Metrics: { visits: 3 },
        User: { UserId: "u1", UserAttributes: { FirstName: ["Ada"] } },
      },
    });
  });

  it("collects a repeated column into one multi-valued attribute and leaves empty cells out", () => {
    const columns = compileHeader([
      "Id",
      "Attributes.Interest",
      "Attributes.Interest",
      "User.UserAttributes.Tag",
      "OptOut",
    ]);
    const record = csvRecord(columns, ["e1", "math", "engines", "", ""], 5);
    expect(record).toMatchObject({ endpoint: { Id: "e1", Attributes: { Interest: ["math", "engines"] } } });
    const endpoint = "endpoint" in record ? record.endpoint : undefined;
    expect(endpoint?.User).toBeUndefined();
    expect(endpoint?.OptOut).toBeUndefined();
  });

  it("derives the same Id for a row without one from its channel and address", () => {
    const columns = compileHeader(["ChannelType", "Address"]);
    const first = csvRecord(columns, ["EMAIL", "ada@example.com"], 2);
    const again = csvRecord(columns, ["EMAIL", "ada@example.com"], 9);
    expect(first).toMatchObject({ endpoint: { Id: derivedEndpointId("EMAIL", "ada@example.com") } });
    expect("endpoint" in again && again.endpoint.Id).toBe("endpoint" in first && first.endpoint.Id);
    expect(derivedEndpointId("SMS", "ada@example.com")).not.toBe(derivedEndpointId("EMAIL", "ada@example.com"));
  });

  it("reads a user-id row as a list of user ids separated by spaces", () => {
    const columns = compileHeader(["User.UserId"]);
    expect(csvRecord(columns, ["u-1 u-2  u-3"], 2)).toEqual({ line: 2, userIds: ["u-1", "u-2", "u-3"] });
  });

  it("refuses a row with a non-numeric metric, a wrong number of cells, or no way to identify it", () => {
    const columns = compileHeader(["Id", "Metrics.score", "Address"]);
    expect(csvRecord(columns, ["e1", "lots", "a"], 3)).toEqual({
      line: 3,
      error: 'line 3: Metrics.score must be a number, not "lots"',
    });
    expect(csvRecord(columns, ["e1", "1"], 4)).toEqual({ line: 4, error: "line 4: 2 values for 3 columns" });
    expect(csvRecord(columns, ["", "1", "a"], 7)).toMatchObject({ error: expect.stringMatching(/^line 7: .*Id/) });
  });

  it("fails the whole file on a column Pinpoint does not import", () => {
    expect(() => compileHeader(["Id", "Nickname"])).toThrow(HeaderError);
    expect(() => compileHeader(["Demographic.ShoeSize"])).toThrow(/Demographic.ShoeSize/);
    expect(() => compileHeader(["Attributes."])).toThrow(HeaderError);
  });
});
