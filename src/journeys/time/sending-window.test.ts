import { describe, expect, it } from "vitest";
import { checkClock, checkSendingRules, nextSendableMs, type SendingRules } from "./sending-window.js";

const at = (iso: string) => Date.parse(iso);

describe("sending window", () => {
  it("sends at once when no rule applies", () => {
    expect(nextSendableMs({}, "EMAIL", "Europe/Paris", at("2026-07-01T23:00:00Z"))).toBe(at("2026-07-01T23:00:00Z"));
    const unscheduled: SendingRules = { OpenHours: { EMAIL: { MONDAY: [] } } };
    expect(nextSendableMs(unscheduled, "EMAIL", undefined, at("2026-07-01T23:00:00Z"))).toBe(
      at("2026-07-01T23:00:00Z"),
    );
  });

  it("holds quiet time that wraps past midnight, on the endpoint's clock, until its end", () => {
    const rules: SendingRules = { QuietTime: { Start: "22:00", End: "08:00" }, LocalTime: true };
    expect(nextSendableMs(rules, "SMS", "Europe/Paris", at("2026-07-01T19:59:00Z"))).toBe(at("2026-07-01T19:59:00Z"));
    expect(nextSendableMs(rules, "SMS", "Europe/Paris", at("2026-07-01T20:00:00Z"))).toBe(at("2026-07-02T06:00:00Z"));
    expect(nextSendableMs(rules, "SMS", "Europe/Paris", at("2026-07-02T05:59:30Z"))).toBe(at("2026-07-02T06:00:00Z"));
    expect(nextSendableMs(rules, "SMS", "Europe/Paris", at("2026-07-02T06:00:00Z"))).toBe(at("2026-07-02T06:00:00Z"));
    expect(nextSendableMs(rules, "SMS", "America/New_York", at("2026-07-02T05:00:00Z"))).toBe(
      at("2026-07-02T12:00:00Z"),
    );
  });

  it("reads quiet time within a day, and summer time changes, on the endpoint's clock", () => {
    const rules: SendingRules = { QuietTime: { Start: "01:00", End: "04:00" }, LocalTime: true };
    // Paris skips 02:00-03:00 on 29 March 2026, so the quiet hours last two hours of real time.
    expect(nextSendableMs(rules, "PUSH", "Europe/Paris", at("2026-03-29T00:00:00Z"))).toBe(at("2026-03-29T02:00:00Z"));
  });

  it("gives an endpoint of unknown zone no quiet time when LocalTime is on", () => {
    const rules: SendingRules = { QuietTime: { Start: "22:00", End: "08:00" }, LocalTime: true };
    expect(nextSendableMs(rules, "SMS", undefined, at("2026-07-01T23:00:00Z"))).toBe(at("2026-07-01T23:00:00Z"));
  });

  it("reads quiet time on the journey's Schedule.Timezone, or UTC, when LocalTime is off", () => {
    const rules: SendingRules = { QuietTime: { Start: "22:00", End: "08:00" }, Schedule: { Timezone: "UTC+05:30" } };
    expect(nextSendableMs(rules, "EMAIL", "America/New_York", at("2026-07-01T17:00:00Z"))).toBe(
      at("2026-07-02T02:30:00Z"),
    );
    const utc: SendingRules = { QuietTime: { Start: "22:00", End: "08:00" } };
    expect(nextSendableMs(utc, "EMAIL", "Asia/Tokyo", at("2026-07-01T23:00:00Z"))).toBe(at("2026-07-02T08:00:00Z"));
  });

  it("with SendingSchedule, sends on the channel's open days and hours only", () => {
    const rules: SendingRules = {
      SendingSchedule: true,
      OpenHours: {
        EMAIL: {
          MONDAY: [
            { StartTime: "09:00", EndTime: "12:00" },
            { StartTime: "14:00", EndTime: "17:00" },
          ],
          FRIDAY: [{ StartTime: "22:00", EndTime: "02:00" }],
        },
      },
    };
    // 1 July 2026 is a Wednesday: the next opening is Friday 22:00.
    expect(nextSendableMs(rules, "EMAIL", undefined, at("2026-07-01T12:00:00Z"))).toBe(at("2026-07-03T22:00:00Z"));
    expect(nextSendableMs(rules, "EMAIL", undefined, at("2026-07-04T01:30:00Z"))).toBe(at("2026-07-04T01:30:00Z"));
    expect(nextSendableMs(rules, "EMAIL", undefined, at("2026-07-04T02:00:00Z"))).toBe(at("2026-07-06T09:00:00Z"));
    expect(nextSendableMs(rules, "EMAIL", undefined, at("2026-07-06T12:00:00Z"))).toBe(at("2026-07-06T14:00:00Z"));
    expect(nextSendableMs(rules, "SMS", undefined, at("2026-07-01T12:00:00Z"))).toBe(at("2026-07-01T12:00:00Z"));
    expect(nextSendableMs({ ...rules, SendingSchedule: false }, "EMAIL", undefined, at("2026-07-01T12:00:00Z"))).toBe(
      at("2026-07-01T12:00:00Z"),
    );
  });

  it("with SendingSchedule, holds closed days, then the quiet time after them", () => {
    const rules: SendingRules = {
      SendingSchedule: true,
      LocalTime: true,
      QuietTime: { Start: "00:00", End: "07:00" },
      ClosedDays: {
        EMAIL: [
          { Name: "Christmas", StartDateTime: "2026-12-25T00:00:00", EndDateTime: "2026-12-26T00:00:00" },
          { Name: "Outage", StartDateTime: "2026-12-27T10:00:00Z", EndDateTime: "2026-12-27T11:00:00Z" },
        ],
      },
    };
    // The local closing ends at midnight in Tokyo, when quiet time begins: sending waits for 07:00 there.
    expect(nextSendableMs(rules, "EMAIL", "Asia/Tokyo", at("2026-12-25T05:00:00Z"))).toBe(at("2026-12-25T22:00:00Z"));
    expect(nextSendableMs(rules, "EMAIL", "Asia/Tokyo", at("2026-12-27T10:30:00Z"))).toBe(at("2026-12-27T11:00:00Z"));
    expect(nextSendableMs(rules, "SMS", "Asia/Tokyo", at("2026-12-25T05:00:00Z"))).toBe(at("2026-12-25T05:00:00Z"));
  });

  it("answers Infinity when the rules leave no time to send", () => {
    const rules: SendingRules = { SendingSchedule: true, OpenHours: { SMS: { MONDAY: [] } } };
    expect(nextSendableMs(rules, "SMS", undefined, at("2026-07-01T12:00:00Z"))).toBe(Number.POSITIVE_INFINITY);
    const quietWhenOpen: SendingRules = {
      SendingSchedule: true,
      QuietTime: { Start: "08:00", End: "20:00" },
      OpenHours: { SMS: { MONDAY: [{ StartTime: "09:00", EndTime: "17:00" }] } },
    };
    expect(nextSendableMs(quietWhenOpen, "SMS", undefined, at("2026-07-01T12:00:00Z"))).toBe(Number.POSITIVE_INFINITY);
  });

  it("names the first rule that cannot be applied", () => {
    expect(checkClock("22:00")).toBeUndefined();
    expect(checkClock("24:00", "QuietTime.Start")).toBe(
      "QuietTime.Start must be a time of day in 24-hour HH:mm form, such as 22:00, not '24:00'",
    );
    expect(
      checkSendingRules({ QuietTime: { Start: "22:00", End: "08:00" }, Schedule: { Timezone: "UTC-03" } }),
    ).toBeUndefined();
    expect(checkSendingRules({ QuietTime: { Start: "22:00", End: "8am" } })).toMatch(/^QuietTime.End must be/);
    expect(checkSendingRules({ Schedule: { Timezone: "Nowhere" } })).toMatch(/^Schedule.Timezone must be/);
    expect(checkSendingRules({ OpenHours: { EMAIL: { MONDAY: [{ StartTime: "9:00", EndTime: "17:00" }] } } })).toMatch(
      /^OpenHours.EMAIL.MONDAY\[0\].StartTime must be/,
    );
    expect(checkSendingRules({ OpenHours: { EMAIL: { FUNDAY: [] } as never } })).toMatch(
      /^OpenHours.EMAIL has a day FUNDAY/,
    );
    expect(
      checkSendingRules({
        ClosedDays: { SMS: [{ StartDateTime: "2026-12-26T00:00:00", EndDateTime: "2026-12-25T00:00:00" }] },
      }),
    ).toBe("ClosedDays.SMS[0] ends before it starts");
    expect(
      checkSendingRules({ ClosedDays: { SMS: [{ StartDateTime: "2026-02-30", EndDateTime: "2026-03-01" }] } }),
    ).toMatch(/^ClosedDays.SMS\[0\].StartDateTime must be an ISO 8601 date-time/);
  });
});
