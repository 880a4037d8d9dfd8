/**
 * The formats of the values in a journey definition, as Pinpoint writes them: ISO 8601 durations
 * and dates, time zones (IANA or Pinpoint's UTC offsets) and HH:mm times of day; and `refuse`,
 * how validation answers Pinpoint's 400.
 */
import { badRequest } from "../api/errors.js";
import { isDuration } from "./time/duration.js";

/** Throws a 400 with the message. */
export function refuse(message: string): never {
  throw badRequest(message);
}

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * An ISO 8601 date and time with its offset, as Pinpoint takes them (2026-11-23T09:00:00Z);
 * without an offset the instant would depend on the server's zone.
 * @example isDateTime("2026-11-23T09:00:00Z") // true
 */
export function isDateTime(value: unknown): value is string {
  return typeof value === "string" && isoDateTime.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * A wall-clock date and time, with or without an offset: ClosedDays are read in each endpoint's
 * own zone, so Pinpoint writes them without one (2026-12-25T00:00).
 */
export function isLocalDateTime(value: unknown): value is string {
  return (
    (typeof value === "string" &&
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?$/.test(value) &&
      !Number.isNaN(Date.parse(`${value}Z`))) ||
    isDateTime(value)
  );
}

/**
 * An IANA zone (Europe/Paris) or one of Pinpoint's UTC offsets (UTC, UTC+05:30, UTC-03).
 * @example isTimezone("UTC+05:45") // true
 */
export function isTimezone(value: unknown): boolean {
  if (typeof value !== "string" || value === "") return false;
  const offset = /^UTC(?:[+-](\d{2})(?::(00|30|45))?)?$/.exec(value);
  if (offset) return Number(offset[1] ?? 0) <= 14;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** A time of day as QuietTime and OpenHours write it: HH:mm, 24-hour. @example isClockTime("22:30") // true */
export function isClockTime(value: unknown): value is string {
  return typeof value === "string" && /^(?:[01]\d|2[0-3]):[0-5]\d$/.test(value);
}

/** Throws a 400 unless the value, when given, is an ISO 8601 duration. */
export function checkDuration(value: unknown, field: string): void {
  if (value !== undefined && value !== null && !isDuration(value)) {
    refuse(`${field} must be an ISO 8601 duration such as PT1H or P1D, not '${String(value)}'`);
  }
}

/** Throws a 400 unless the value, when given, is an ISO 8601 date and time with its offset. */
export function checkDateTime(value: unknown, field: string): void {
  if (value !== undefined && value !== null && !isDateTime(value)) {
    refuse(
      `${field} must be an ISO 8601 date and time with an offset, such as 2026-11-23T09:00:00Z, not '${String(value)}'`,
    );
  }
}
