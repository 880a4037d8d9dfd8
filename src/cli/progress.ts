/**
 * How a long-running command shows its progress: a bar redrawn in place on a terminal, plain lines
 * (at most one every few seconds) when the output is a file or a CI log, where a redrawn bar would
 * be a wall of carriage returns.
 */

export interface ProgressOutput {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/**
 * The bar as one line, e.g. `[##########----------]  50%  500 of 1,000 endpoints entered`.
 * @example progressLine(500, 1000, "endpoints entered", 20)
 */
export function progressLine(done: number, total: number | undefined, label: string, width = 30): string {
  if (total === undefined) return `[${"?".repeat(width)}]  ${done.toLocaleString("en-US")} ${label}`;
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(fraction * width);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${percent}  ${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} ${label}`;
}

/** The plain form: `500 of 1,000 endpoints entered (50%)`. */
export function progressText(done: number, total: number | undefined, label: string): string {
  if (total === undefined) return `${done.toLocaleString("en-US")} ${label}`;
  const percent = total === 0 ? 100 : Math.floor(Math.min(1, done / total) * 100);
  return `${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} ${label} (${percent}%)`;
}

/** Shows updates of one count as it grows; `finish` leaves the last state on its own line. */
export class ProgressReporter {
  private lastText = "";
  private lastPrintMs = 0;

  constructor(
    private readonly out: ProgressOutput,
    private readonly label: string,
    /** Least time between two plain lines. */
    private readonly plainEveryMs = 2000,
  ) {}

  update(done: number, total: number | undefined): void {
    if (this.out.isTTY) {
      const width = Math.max(10, Math.min(40, (this.out.columns ?? 80) - 50));
      this.out.write(`\r${progressLine(done, total, this.label, width)}\u001b[K`);
      return;
    }
    const text = progressText(done, total, this.label);
    const now = Date.now();
    if (text === this.lastText || now - this.lastPrintMs < this.plainEveryMs) return;
    this.out.write(`${text}\n`);
    this.lastText = text;
    this.lastPrintMs = now;
  }

  finish(done: number, total: number | undefined): void {
    if (this.out.isTTY) {
      this.update(done, total);
      this.out.write("\n");
      return;
    }
    const text = progressText(done, total, this.label);
    if (text !== this.lastText) this.out.write(`${text}\n`);
  }
}
