/**
 * ISO-8601 durations as Pinpoint's journeys use them (Wait's WaitFor, EvaluationWaitTime,
 * EndpointReentryInterval, RefreshFrequency): PnYnMnWnDTnHnMnS, such as PT1H, P1D, P1W or
 * P1DT12H. Years, months and days are calendar steps in UTC (one month after 31 January is the
 * last day of February), the rest are fixed lengths.
 */

/** The parts of a duration, each a whole number but seconds, which may have a fraction. */
export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const dayMs = 86_400_000;
const pattern = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

function match(value: string): RegExpExecArray | undefined {
  const parts = pattern.exec(value);
  // "P" alone and "P1DT" match the pattern but name no amount; ISO 8601 refuses both.
  if (!parts || value.endsWith("T") || parts.slice(1).every((part) => part === undefined)) return undefined;
  return parts;
}

/** True when the value is a duration parseDuration accepts. @example isDuration("PT30M") // true */
export function isDuration(value: unknown): value is string {
  return typeof value === "string" && match(value) !== undefined;
}

/**
 * The duration's parts, or an Error that names the field and the value.
 * @example parseDuration("P1DT12H") // { years: 0, months: 0, weeks: 0, days: 1, hours: 12, minutes: 0, seconds: 0 }
 * @example parseDuration("1h", "WaitFor") // throws "WaitFor must be an ISO 8601 duration such as PT1H or P1D, not '1h'"
 */
export function parseDuration(iso: string, field = "A duration"): Duration {
  const parts = typeof iso === "string" ? match(iso) : undefined;
  if (!parts) throw new Error(`${field} must be an ISO 8601 duration such as PT1H or P1D, not '${String(iso)}'`);
  const [years, months, weeks, days, hours, minutes] = parts.slice(1, 7).map((part) => Number(part ?? 0));
  const seconds = Number((parts[7] ?? "0").replace(",", "."));
  return { years, months, weeks, days, hours, minutes, seconds };
}

/**
 * The instant the duration ends when it starts at fromMs.
 * @example addDuration(Date.parse("2026-01-31T09:00:00Z"), "P1M") // Date.parse("2026-02-28T09:00:00Z")
 */
export function addDuration(fromMs: number, iso: string | Duration): number {
  const duration = typeof iso === "string" ? parseDuration(iso) : iso;
  const from = new Date(fromMs);
  let year = from.getUTCFullYear() + duration.years;
  let month = from.getUTCMonth() + duration.months;
  year += Math.floor(month / 12);
  month %= 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const calendar = Date.UTC(year, month, Math.min(from.getUTCDate(), lastDay));
  const timeOfDay = fromMs - Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const days = duration.weeks * 7 + duration.days;
  const time = ((duration.hours * 60 + duration.minutes) * 60 + duration.seconds) * 1000;
  return calendar + timeOfDay + days * dayMs + Math.round(time);
}
