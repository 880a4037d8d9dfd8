/**
 * The formats of the values in a journey definition, as Pinpoint writes them: ISO 8601 durations
 * and dates; and `refuse`, how validation answers Pinpoint's 400. (Time zones and times of day are
 * checked by the sending window, time/sending-window.ts, which reads them.)
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
