import { BadRequestException, PhoneNumberValidateCommand } from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/server.js";

// PhoneNumberValidate stores nothing, so one database is enough.
describe("PhoneNumberValidate", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer("sqlite");
  });
  afterAll(() => t.close());

  const validate = async (PhoneNumber: string, IsoCountryCode?: string) =>
    (await t.client.send(new PhoneNumberValidateCommand({ NumberValidateRequest: { PhoneNumber, IsoCountryCode } })))
      .NumberValidateResponse;

  it("describes a US number as Pinpoint does, without the carrier and location it cannot know offline", async () => {
    expect(await validate("+12065550142")).toEqual({
      OriginalPhoneNumber: "+12065550142",
      CleansedPhoneNumberE164: "+12065550142",
      CleansedPhoneNumberNational: "2065550142",
      Country: "United States",
      CountryCodeIso2: "US",
      CountryCodeNumeric: "1",
      // North American numbering does not tell mobile from landline; only a carrier lookup could.
      PhoneType: "OTHER",
      PhoneTypeCode: 4,
    });
  });

  it("reads a national number in the country IsoCountryCode names", async () => {
    expect(await validate("020 7946 0958", "gb")).toEqual({
      OriginalPhoneNumber: "020 7946 0958",
      OriginalCountryCodeIso2: "GB",
      CleansedPhoneNumberE164: "+442079460958",
      CleansedPhoneNumberNational: "2079460958",
      Country: "United Kingdom",
      CountryCodeIso2: "GB",
      CountryCodeNumeric: "44",
      PhoneType: "LANDLINE",
      PhoneTypeCode: 1,
    });
  });

  it("tells mobile numbers where the numbering plan does", async () => {
    for (const [number, country, national] of [
      ["+33 6 12 34 56 78", "FR", "612345678"],
      ["+81 90-1234-5678", "JP", "9012345678"],
      ["+61 491 570 156", "AU", "491570156"],
    ]) {
      expect(await validate(number)).toMatchObject({
        CountryCodeIso2: country,
        CleansedPhoneNumberNational: national,
        PhoneType: "MOBILE",
        PhoneTypeCode: 0,
      });
    }
    expect(await validate("+49 30 123456")).toMatchObject({ Country: "Germany", PhoneType: "LANDLINE" });
  });

  it("answers INVALID for numbers that cannot exist", async () => {
    expect(await validate("12345")).toEqual({ OriginalPhoneNumber: "12345", PhoneType: "INVALID", PhoneTypeCode: 3 });
    // Ofcom keeps 07700 900xxx for drama: never assigned to a subscriber.
    expect(await validate("07700 900123", "GB")).toMatchObject({
      CleansedPhoneNumberE164: "+447700900123",
      PhoneType: "INVALID",
      PhoneTypeCode: 3,
    });
  });

  it("refuses a request without a number or with an unknown country code", async () => {
    await expect(
      t.client.send(new PhoneNumberValidateCommand({ NumberValidateRequest: { IsoCountryCode: "US" } })),
    ).rejects.toBeInstanceOf(BadRequestException);
    await expect(validate("2065550142", "XX")).rejects.toBeInstanceOf(BadRequestException);
  });
});
