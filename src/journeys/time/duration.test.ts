import { describe, expect, it } from "vitest";
import { addDuration, isDuration, parseDuration } from "./duration.js";

const at = (iso: string) => Date.parse(iso);

describe("ISO-8601 durations", () => {
  it("reads every part Pinpoint uses", () => {
    expect(parseDuration("P1Y2M3W4DT5H6M7.5S")).toEqual({
      years: 1,
      months: 2,
      weeks: 3,
      days: 4,
      hours: 5,
      minutes: 6,
      seconds: 7.5,
    });
    expect(parseDuration("PT30M")).toMatchObject({ days: 0, hours: 0, minutes: 30 });
    expect(parseDuration("P1DT12H")).toMatchObject({ days: 1, hours: 12 });
  });

  it("refuses what is not a duration, naming the field and the value", () => {
    for (const value of ["1h", "P", "PT", "P1DT", "PT1H30", "P1H", "-PT1H", "pt1h", " PT1H", ""]) {
      expect(isDuration(value), value).toBe(false);
      expect(() => parseDuration(value, "WaitFor")).toThrow(
        `WaitFor must be an ISO 8601 duration such as PT1H or P1D, not '${value}'`,
      );
    }
    expect(isDuration(3600)).toBe(false);
    expect(isDuration("PT0S")).toBe(true);
  });

  it("adds hours, minutes, seconds and weeks as fixed lengths", () => {
    expect(addDuration(at("2026-03-28T23:00:00Z"), "PT1H30M")).toBe(at("2026-03-29T00:30:00Z"));
    expect(addDuration(at("2026-03-28T23:00:00Z"), "P1W")).toBe(at("2026-04-04T23:00:00Z"));
    expect(addDuration(at("2026-03-28T23:00:00Z"), "PT0.25S")).toBe(at("2026-03-28T23:00:00.250Z"));
  });

  it("adds years and months on the UTC calendar, keeping the day where the month has it", () => {
    expect(addDuration(at("2026-01-31T09:00:00Z"), "P1M")).toBe(at("2026-02-28T09:00:00Z"));
    expect(addDuration(at("2024-01-31T09:00:00Z"), "P1M")).toBe(at("2024-02-29T09:00:00Z"));
    expect(addDuration(at("2024-02-29T09:00:00Z"), "P1Y")).toBe(at("2025-02-28T09:00:00Z"));
    expect(addDuration(at("2026-11-15T09:00:00Z"), "P3M")).toBe(at("2027-02-15T09:00:00Z"));
    expect(addDuration(at("2026-01-31T09:00:00Z"), "P1M1D")).toBe(at("2026-03-01T09:00:00Z"));
  });

  it("takes parsed durations too", () => {
    expect(addDuration(at("2026-01-01T00:00:00Z"), parseDuration("P1D"))).toBe(at("2026-01-02T00:00:00Z"));
  });
});
