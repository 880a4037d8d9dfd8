/**
 * How a background loop waits for work: until nudged or until the poll interval passes. A nudge
 * that arrives while the loop is busy is remembered, so the next wait returns at once instead of
 * sleeping through work that was just added.
 */
export class IdleTimer {
  private nudged = false;
  private wake: (() => void) | undefined;

  constructor(private readonly intervalMs: number) {}

  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Call before looking for work; a nudge after this point cuts the next wait short. */
  reset(): void {
    this.nudged = false;
  }

  wait(): Promise<void> {
    if (this.nudged) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.intervalMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}
