/**
 * Time zones as journeys meet them: IANA names (an endpoint's Demographic.Timezone), read through
 * Intl, and Pinpoint's fixed offsets (a journey's Schedule.Timezone: "UTC", "UTC+01", "UTC-05:30").
 * Also the two conversions the sending window needs, instant to wall clock and back, without a
 * date library: Node's Intl carries the tz database.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js";
import type { Endpoint } from "../../endpoints/model.js";
import { countryTimezones } from "./country-timezones.js";

/** An IANA zone, or a fixed offset from UTC in minutes. */
export type Timezone = { name: string } | { offsetMinutes: number };

/** A date and time of day as a clock on the wall shows it; month 1-12, weekday 0 (Sunday) to 6. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const minuteMs = 60_000;
const fixedOffset = /^(?:UTC|GMT)(?:([+-])(\d{2})(?::?([0-5]\d))?)?$/;

/**
 * The zone a value names, or undefined.
 * @example parseTimezone("UTC+05:30") // { offsetMinutes: 330 }
 * @example parseTimezone("America/New_York") // { name: "America/New_York" }
 */
export function parseTimezone(value: unknown): Timezone | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  if (!parsed.has(value)) {
    // Endpoints bring their own zone strings; the bound keeps odd ones from growing the map.
    if (parsed.size >= 10_000) parsed.clear();
    parsed.set(value, readTimezone(value));
  }
  return parsed.get(value);
}

const parsed = new Map<string, Timezone | undefined>();

function readTimezone(value: string): Timezone | undefined {
  const offset = fixedOffset.exec(value);
  if (offset) {
    const [, sign, hours = "0", minutes = "0"] = offset;
    const total = Number(hours) * 60 + Number(minutes);
    return total > 14 * 60 ? undefined : { offsetMinutes: sign === "-" ? -total : total };
  }
  const formatter = formatterOf(value);
  return formatter ? { name: formatter.resolvedOptions().timeZone } : undefined;
}

/** A problem with a time zone, or undefined when it is one. @example checkTimezone("UTC+01") // undefined */
export function checkTimezone(value: unknown, field = "Timezone"): string | undefined {
  return parseTimezone(value)
    ? undefined
    : `${field} must be an IANA time zone such as America/New_York or an offset such as UTC+01, not '${String(value)}'`;
}

const formatters = new Map<string, Intl.DateTimeFormat | undefined>();

function formatterOf(name: string): Intl.DateTimeFormat | undefined {
  if (!formatters.has(name)) {
    let formatter: Intl.DateTimeFormat | undefined;
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone: name,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
      });
    } catch {
      formatter = undefined;
    }
    formatters.set(name, formatter);
  }
  return formatters.get(name);
}

/**
 * Offsets by zone and quarter hour of UTC. The transitions of the tz database in use today all
 * fall on quarter hours, so the offset at the start of one holds for all of it; asking Intl costs
 * microseconds, and the engine asks for every participant it moves.
 */
const offsetCache = new Map<string, Map<number, number>>();
const quarterMs = 15 * minuteMs;

/** The zone's offset from UTC at the instant, in milliseconds. */
export function offsetMs(zone: Timezone, ms: number): number {
  if ("offsetMinutes" in zone) return zone.offsetMinutes * minuteMs;
  const quarter = Math.floor(ms / quarterMs);
  let offsets = offsetCache.get(zone.name);
  if (!offsets) {
    offsets = new Map();
    offsetCache.set(zone.name, offsets);
  }
  let offset = offsets.get(quarter);
  if (offset === undefined) {
    const start = quarter * quarterMs;
    const parts: Record<string, string> = {};
    for (const part of (formatterOf(zone.name) as Intl.DateTimeFormat).formatToParts(start)) {
      parts[part.type] = part.value;
    }
    const { year, month, day, hour, minute } = parts;
    offset = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute)) - start;
    // About 100 quarters a day per zone are asked for; a long-running server forgets old ones.
    if (offsets.size >= 20_000) offsets.clear();
    offsets.set(quarter, offset);
  }
  return offset;
}

/** The wall clock in the zone at the instant. @example wallClock(Date.parse("2026-07-01T12:00:00Z"), { name: "Europe/Paris" }).hour // 14 */
export function wallClock(ms: number, zone: Timezone): WallClock {
  const local = new Date(ms + offsetMs(zone, ms));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    weekday: local.getUTCDay(),
  };
}

/**
 * The first instant at which the zone's wall clock reads the given time or later: the earlier one
 * when the clock is turned back and reads it twice, the moment the clock jumps when it is turned
 * forward past it. Days and months out of range roll over (day 32 is the 1st of the next month).
 * @example zonedInstant({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, { name: "Europe/Paris" }) // 01:00Z, when Paris jumps to 03:00
 */
export function zonedInstant(
  wall: { year: number; month: number; day: number; hour: number; minute: number },
  zone: Timezone,
): number {
  const local = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const day = 86_400_000;
  // The offsets a day before and after are those on either side of any transition near the time.
  const candidates = [offsetMs(zone, local - day), offsetMs(zone, local + day)].map((offset) => local - offset);
  const exact = candidates.filter((ms) => ms + offsetMs(zone, ms) === local);
  if (exact.length > 0) return Math.min(...exact);
  // A time the clock skips: the first minute after the earliest candidate that reads later.
  let low = Math.min(...candidates);
  let high = Math.max(...candidates);
  while (high - low > minuteMs) {
    const middle = low + Math.floor((high - low) / 2 / minuteMs) * minuteMs;
    if (middle + offsetMs(zone, middle) >= local) high = middle;
    else low = middle;
  }
  return high;
}

/** What endpointTimezone reads of an endpoint. */
export type TimezoneSource = Partial<Pick<Endpoint, "Address" | "ChannelType" | "Demographic" | "Location">>;

/**
 * The endpoint's time zone: its Demographic.Timezone when that is a zone, else one estimated by
 * the journey's TimezoneEstimationMethods, where the estimate is sure: PHONE_NUMBER reads the
 * country of an SMS or VOICE endpoint's number, POSTAL_CODE the endpoint's Location.Country, and
 * either gives a zone only for a country that keeps one clock. Else undefined.
 * @example endpointTimezone({ ChannelType: "SMS", Address: "+33612345678", Demographic: {} }, ["PHONE_NUMBER"]) // "Europe/Paris"
 */
export function endpointTimezone(endpoint: TimezoneSource, methods: readonly string[] = []): string | undefined {
  const declared = endpoint.Demographic?.Timezone;
  if (declared && parseTimezone(declared)) return declared;
  const channel = endpoint.ChannelType;
  if (methods.includes("PHONE_NUMBER") && endpoint.Address && (channel === "SMS" || channel === "VOICE")) {
    const country = parsePhoneNumberFromString(endpoint.Address)?.country;
    if (country && countryTimezones[country]) return countryTimezones[country];
  }
  const country = endpoint.Location?.Country?.toUpperCase();
  if (methods.includes("POSTAL_CODE") && country) return countryTimezones[country];
  return undefined;
}
