/**
 * When a journey may send a message to an endpoint. Its QuietTime ("HH:mm" to "HH:mm", wrapping
 * past midnight when it ends earlier than it starts) is never sendable; with SendingSchedule on,
 * neither are the hours outside the channel's OpenHours nor the periods of its ClosedDays.
 *
 * The clock these read: the endpoint's time zone when LocalTime is on, else the journey's
 * Schedule.Timezone, else UTC. An endpoint whose zone is unknown has no quiet time when LocalTime
 * is on, as Pinpoint documents ("the EndpointDemographic.Timezone property of the endpoint is set
 * to a valid value" is a condition of quiet time); its OpenHours and ClosedDays, the business's
 * own hours, are read on the journey's clock.
 *
 * Each interval includes its start and excludes its end: with QuietTime 22:00-08:00, 08:00 sends.
 * A channel without OpenHours (or with an empty map) may send at any hour; one with OpenHours may
 * send only on the days listed, in their intervals.
 */
import type { ClosedDays, ClosedDaysRule, OpenHours, OpenHoursRule, QuietTime } from "@aws-sdk/client-pinpoint";
import { checkTimezone, parseTimezone, type Timezone, wallClock, zonedInstant } from "./timezone.js";

export { checkTimezone, endpointTimezone, parseTimezone } from "./timezone.js";

export type SendingChannel = "EMAIL" | "SMS" | "PUSH" | "VOICE" | "CUSTOM";

/** The journey settings that decide when it sends (a JourneyDefinition has them all). */
export interface SendingRules {
  QuietTime?: QuietTime;
  LocalTime?: boolean;
  Schedule?: { Timezone?: string };
  SendingSchedule?: boolean;
  OpenHours?: OpenHours;
  ClosedDays?: ClosedDays;
}

export const sendingChannels = ["EMAIL", "SMS", "PUSH", "VOICE", "CUSTOM"] as const;
/** OpenHours' day names, in Date.getUTCDay() order. */
export const weekdays = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"] as const;

const minuteMs = 60_000;
const dayMs = 86_400_000;
/** Rules that leave no time to send within this horizon are taken as never sending. */
const horizonMs = 400 * dayMs;
const clock = /^([01]\d|2[0-3]):([0-5]\d)$/;
const dateTime = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** A problem with an "HH:mm" clock time, or undefined when it is one. @example checkClock("22:00") // undefined */
export function checkClock(value: unknown, field = "The time"): string | undefined {
  return typeof value === "string" && clock.test(value)
    ? undefined
    : `${field} must be a time of day in 24-hour HH:mm form, such as 22:00, not '${String(value)}'`;
}

function minuteOfDay(value: string | undefined): number | undefined {
  const match = clock.exec(value ?? "");
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/**
 * A ClosedDays date-time as an instant: as written when it has a zone, else on the given clock.
 * A date alone is the start of that day.
 */
function closedDayInstant(value: string | undefined, zone: Timezone): number | undefined {
  const match = dateTime.exec(value ?? "");
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0));
  const [fraction = "", designator] = match.slice(7);
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || (match[4] === undefined && designator !== undefined)) return undefined;
  const time = `${match[4] ?? "00"}:${match[5] ?? "00"}:${match[6] ?? "00"}${fraction}`;
  if (designator) return Date.parse(`${match[1]}-${match[2]}-${match[3]}T${time}${designator}`);
  return zonedInstant({ year, month, day, hour, minute }, zone) + Math.round(Number(`${second}${fraction}`) * 1000);
}

/**
 * The first problem with a journey's sending rules (clock times, zone, open hours, closed days),
 * or undefined when they can be applied.
 * @example checkSendingRules({ QuietTime: { Start: "22:00", End: "8am" } }) // "QuietTime.End must be ..."
 */
export function checkSendingRules(rules: SendingRules): string | undefined {
  const problems: (string | undefined)[] = [];
  if (rules.QuietTime?.Start !== undefined) problems.push(checkClock(rules.QuietTime.Start, "QuietTime.Start"));
  if (rules.QuietTime?.End !== undefined) problems.push(checkClock(rules.QuietTime.End, "QuietTime.End"));
  if (rules.Schedule?.Timezone !== undefined) {
    problems.push(checkTimezone(rules.Schedule.Timezone, "Schedule.Timezone"));
  }
  for (const [channel, days] of Object.entries(rules.OpenHours ?? {})) {
    if (!days) continue;
    if (!(sendingChannels as readonly string[]).includes(channel)) problems.push(`OpenHours has no channel ${channel}`);
    for (const [day, intervals] of Object.entries(days as Record<string, OpenHoursRule[]>)) {
      if (!(weekdays as readonly string[]).includes(day)) {
        problems.push(`OpenHours.${channel} has a day ${day}; days are ${weekdays.join(", ")}`);
      }
      for (const [i, interval] of (intervals ?? []).entries()) {
        problems.push(checkClock(interval.StartTime, `OpenHours.${channel}.${day}[${i}].StartTime`));
        problems.push(checkClock(interval.EndTime, `OpenHours.${channel}.${day}[${i}].EndTime`));
      }
    }
  }
  for (const [channel, closed] of Object.entries(rules.ClosedDays ?? {})) {
    if (!closed) continue;
    if (!(sendingChannels as readonly string[]).includes(channel)) {
      problems.push(`ClosedDays has no channel ${channel}`);
    }
    for (const [i, rule] of (closed as ClosedDaysRule[]).entries()) {
      const field = `ClosedDays.${channel}[${i}]`;
      const start = closedDayInstant(rule.StartDateTime, { offsetMinutes: 0 });
      const end = closedDayInstant(rule.EndDateTime, { offsetMinutes: 0 });
      if (start === undefined) {
        problems.push(`${field}.StartDateTime must be an ISO 8601 date-time, not '${rule.StartDateTime}'`);
      } else if (end === undefined) {
        problems.push(`${field}.EndDateTime must be an ISO 8601 date-time, not '${rule.EndDateTime}'`);
      } else if (end <= start) {
        problems.push(`${field} ends before it starts`);
      }
    }
  }
  return problems.find((problem) => problem !== undefined);
}

/** The instant the clock reads `minutes` past midnight on the day of `wall`, `days` days later. */
function onDay(wall: { year: number; month: number; day: number }, days: number, minutes: number, zone: Timezone) {
  return zonedInstant({ year: wall.year, month: wall.month, day: wall.day + days, hour: 0, minute: minutes }, zone);
}

/** When quiet time that holds at ms ends, or undefined when it does not hold. */
function quietUntil(quiet: QuietTime | undefined, zone: Timezone, ms: number): number | undefined {
  const start = minuteOfDay(quiet?.Start);
  const end = minuteOfDay(quiet?.End);
  if (start === undefined || end === undefined || start === end) return undefined;
  const wall = wallClock(ms, zone);
  const now = wall.hour * 60 + wall.minute;
  if (start < end) return now >= start && now < end ? onDay(wall, 0, end, zone) : undefined;
  if (now >= start) return onDay(wall, 1, end, zone);
  return now < end ? onDay(wall, 0, end, zone) : undefined;
}

/**
 * When the channel's open hours next begin, or undefined when they hold at ms. An interval that
 * ends no later than it starts runs past midnight, into the next day.
 */
function closedHoursUntil(days: Record<string, OpenHoursRule[]>, zone: Timezone, ms: number): number | undefined {
  const wall = wallClock(ms, zone);
  let next = Number.POSITIVE_INFINITY;
  // Yesterday's intervals may run into today; a week ahead is where the pattern repeats.
  for (let offset = -1; offset <= 7; offset += 1) {
    const weekday = weekdays[(((wall.weekday + offset) % 7) + 7) % 7];
    for (const interval of days[weekday] ?? []) {
      const start = minuteOfDay(interval.StartTime);
      const end = minuteOfDay(interval.EndTime);
      if (start === undefined || end === undefined) continue;
      const opens = onDay(wall, offset, start, zone);
      const closes = onDay(wall, end > start ? offset : offset + 1, end, zone);
      if (opens <= ms && ms < closes) return undefined;
      if (opens > ms) next = Math.min(next, opens);
    }
  }
  return next;
}

/** When the closed period that holds at ms ends, or undefined when none does. */
function closedDayUntil(rules: ClosedDaysRule[], zone: Timezone, ms: number): number | undefined {
  let until: number | undefined;
  for (const rule of rules) {
    const start = closedDayInstant(rule.StartDateTime, zone);
    const end = closedDayInstant(rule.EndDateTime, zone);
    if (start !== undefined && end !== undefined && start <= ms && ms < end) until = Math.max(until ?? end, end);
  }
  return until;
}

/**
 * nowMs when the journey may send on the channel to an endpoint in `timezone` (its zone, as
 * endpointTimezone gives it) now, else the first instant it may; Infinity when the rules leave no
 * time to send in the next 400 days (open hours on no day, say). A journey whose WaitForQuietTime
 * is on waits until then; one whose WaitForQuietTime is off skips the message.
 * @example nextSendableMs({ QuietTime: { Start: "22:00", End: "08:00" }, LocalTime: true }, "SMS", "Europe/Paris", Date.parse("2026-07-01T21:00:00Z")) // Date.parse("2026-07-02T06:00:00Z")
 */
export function nextSendableMs(
  rules: SendingRules,
  channel: SendingChannel,
  timezone: string | undefined,
  nowMs: number,
): number {
  const days = rules.SendingSchedule ? (rules.OpenHours?.[channel] as Record<string, OpenHoursRule[]>) : undefined;
  const openHours = days && Object.keys(days).length > 0 ? days : undefined;
  const closedDays = rules.SendingSchedule ? (rules.ClosedDays?.[channel] ?? []) : [];
  const quiet = rules.QuietTime?.Start && rules.QuietTime.End ? rules.QuietTime : undefined;
  if (!quiet && !openHours && closedDays.length === 0) return nowMs;

  const journeyZone = parseTimezone(rules.Schedule?.Timezone) ?? { offsetMinutes: 0 };
  const endpointZone = rules.LocalTime ? parseTimezone(timezone) : journeyZone;
  const zone = endpointZone ?? journeyZone;
  let ms = nowMs;
  while (ms - nowMs < horizonMs) {
    const until =
      (endpointZone && quietUntil(quiet, endpointZone, ms)) ??
      (openHours && closedHoursUntil(openHours, zone, ms)) ??
      closedDayUntil(closedDays, zone, ms);
    if (until === undefined) return ms;
    // A period that ends at or before ms (a clock turned back) must not hold the search in place.
    ms = until > ms ? until : ms + minuteMs;
  }
  return Number.POSITIVE_INFINITY;
}
