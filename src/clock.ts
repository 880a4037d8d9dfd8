/**
 * Where Waymark's scheduling logic reads the time: journey waits, quiet time, schedules and
 * caps. Tests hand the server a ManualClock and move it, so a three-day wait passes in a call.
 * Delivery infrastructure (the outbox, leases, retries) keeps real time.
 * @example
 * const clock = new ManualClock(Date.parse("2026-11-23T09:00:00Z"));
 * clock.advance(3 * 24 * 3600_000);
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export class ManualClock implements Clock {
  constructor(private ms = Date.now()) {}

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }

  set(ms: number): void {
    this.ms = ms;
  }
}
