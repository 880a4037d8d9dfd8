import { describe, expect, it } from "vitest";
import { checkTimezone, endpointTimezone, parseTimezone, wallClock, zonedInstant } from "./timezone.js";

const at = (iso: string) => Date.parse(iso);
const paris = { name: "Europe/Paris" };

describe("time zones", () => {
  it("reads IANA names and Pinpoint's UTC offsets, and refuses anything else", () => {
    expect(parseTimezone("America/New_York")).toEqual({ name: "America/New_York" });
    expect(parseTimezone("UTC")).toEqual({ offsetMinutes: 0 });
    expect(parseTimezone("UTC+01")).toEqual({ offsetMinutes: 60 });
    expect(parseTimezone("UTC-05:30")).toEqual({ offsetMinutes: -330 });
    expect(parseTimezone("UTC+13:45")).toEqual({ offsetMinutes: 825 });
    for (const value of ["Mars/Olympus_Mons", "UTC+15", "UTC+1", "+01:00x", "", 3]) {
      expect(parseTimezone(value), String(value)).toBeUndefined();
    }
    expect(checkTimezone("Europe/Paris")).toBeUndefined();
    expect(checkTimezone("Paris", "Schedule.Timezone")).toBe(
      "Schedule.Timezone must be an IANA time zone such as America/New_York or an offset such as UTC+01, not 'Paris'",
    );
  });

  it("shows the wall clock of a zone, summer time included", () => {
    expect(wallClock(at("2026-07-01T12:00:00Z"), paris)).toMatchObject({ hour: 14, weekday: 3, day: 1 });
    expect(wallClock(at("2026-01-01T12:00:00Z"), paris)).toMatchObject({ hour: 13 });
    expect(wallClock(at("2026-01-01T02:00:00Z"), { offsetMinutes: -330 })).toMatchObject({
      day: 31,
      hour: 20,
      minute: 30,
    });
  });

  it("finds the instant a wall clock reads a time: the first of two when it is turned back, the jump when it skips it", () => {
    expect(zonedInstant({ year: 2026, month: 7, day: 1, hour: 9, minute: 0 }, paris)).toBe(at("2026-07-01T07:00:00Z"));
    expect(zonedInstant({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, paris)).toBe(
      at("2026-10-25T00:30:00Z"),
    );
    expect(zonedInstant({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, paris)).toBe(
      at("2026-03-29T01:00:00Z"),
    );
    expect(zonedInstant({ year: 2026, month: 12, day: 32, hour: 0, minute: 0 }, { offsetMinutes: 60 })).toBe(
      at("2026-12-31T23:00:00Z"),
    );
  });

  it("takes the endpoint's own zone first, then estimates it where the country keeps one clock", () => {
    const sms = { ChannelType: "SMS", Address: "+33612345678", Demographic: {}, Location: {} };
    expect(endpointTimezone({ ...sms, Demographic: { Timezone: "Asia/Tokyo" } }, ["PHONE_NUMBER"])).toBe("Asia/Tokyo");
    expect(endpointTimezone({ ...sms, Demographic: { Timezone: "UTC+02" } })).toBe("UTC+02");
    expect(endpointTimezone(sms)).toBeUndefined();
    expect(endpointTimezone(sms, ["PHONE_NUMBER"])).toBe("Europe/Paris");
    expect(endpointTimezone({ ...sms, Address: "+18765550123" }, ["PHONE_NUMBER"])).toBe("America/Jamaica");
    expect(endpointTimezone({ ...sms, Address: "+12125550123" }, ["PHONE_NUMBER"])).toBeUndefined();
    expect(
      endpointTimezone({ ...sms, ChannelType: "EMAIL", Address: "a@example.com" }, ["PHONE_NUMBER"]),
    ).toBeUndefined();
    expect(
      endpointTimezone({ ...sms, Demographic: { Timezone: "nowhere" }, Location: { Country: "de" } }, ["POSTAL_CODE"]),
    ).toBe("Europe/Berlin");
    expect(endpointTimezone({ Location: { Country: "US" } }, ["POSTAL_CODE"])).toBeUndefined();
  });
});
