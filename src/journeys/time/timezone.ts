/**
 * Time zones: IANA names (through Intl) and Pinpoint's fixed offsets ("UTC", "UTC+01", "UTC-05:30").
 */
import type { Endpoint } from "../../endpoints/model.js";

/** An IANA zone, or a fixed offset from UTC in minutes. */
export type Timezone = { name: string } | { offsetMinutes: number };

/** The zone a value names, or undefined. @example parseTimezone("UTC+05:30") // { offsetMinutes: 330 } */
export function parseTimezone(value: unknown): Timezone | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  try {
    return { name: new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone };
  } catch {
    return undefined;
  }
}

/** A problem with a time zone, or undefined when it is one. */
export function checkTimezone(value: unknown, field = "Timezone"): string | undefined {
  return parseTimezone(value)
    ? undefined
    : `${field} must be an IANA time zone such as America/New_York or an offset such as UTC+01, not '${String(value)}'`;
}

/** The endpoint's time zone: its Demographic.Timezone, else one estimated by the given methods. */
export function endpointTimezone(
  endpoint: Pick<Endpoint, "Address" | "ChannelType" | "Demographic" | "Location">,
  _methods: string[] = [],
): string | undefined {
  return parseTimezone(endpoint.Demographic?.Timezone) ? endpoint.Demographic.Timezone : undefined;
}
