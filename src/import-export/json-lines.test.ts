import { describe, expect, it } from "vitest";
import { jsonRecord } from "./json-lines.js";
import { derivedEndpointId } from "./record.js";

describe("JSON import lines", () => {
  it("reads an endpoint definition and derives its Id when it has none", () => {
    const record = jsonRecord('{"ChannelType":"SMS","Address":"+16045550182","Location":{"Country":"CA"}}', 1);
    expect(record).toEqual({
      line: 1,
      endpoint: {
        Id: derivedEndpointId("SMS", "+16045550182"),
        ChannelType: "SMS",
        Address: "+16045550182",
        Location: { Country: "CA" },
      },
    });
  });

  it("reads a line naming only a user as that user's endpoints", () => {
    expect(jsonRecord('{"User":{"UserId":"example-user-id-1"}}', 4)).toEqual({
      line: 4,
      userIds: ["example-user-id-1"],
    });
  });

  it("refuses a line that is not a JSON object", () => {
    expect(jsonRecord("{not json", 2)).toMatchObject({
      line: 2,
      error: expect.stringMatching(/^line 2: not valid JSON/),
    });
    expect(jsonRecord("[1,2]", 3)).toEqual({ line: 3, error: "line 3: an endpoint definition must be a JSON object" });
    expect(jsonRecord('{"Id":7}', 5)).toEqual({ line: 5, error: "line 5: Id must be a string" });
  });
});
