import { describe, expect, it } from "vitest";
import { ProgressReporter, progressLine, progressText } from "./progress.js";

describe("progress display", () => {
  it("draws a bar of the fraction done, and says so in words", () => {
    expect(progressLine(500, 1000, "endpoints entered", 10)).toBe("[#####-----]  50%  500 of 1,000 endpoints entered");
    expect(progressLine(7, undefined, "endpoints entered", 4)).toBe("[????]  7 endpoints entered");
    expect(progressText(1000, 1000, "endpoints entered")).toBe("1,000 of 1,000 endpoints entered (100%)");
    expect(progressText(0, 0, "endpoints entered")).toBe("0 of 0 endpoints entered (100%)");
  });

  it("redraws one line on a terminal", () => {
    const written: string[] = [];
    const reporter = new ProgressReporter({ isTTY: true, columns: 80, write: (text) => written.push(text) }, "done");
    reporter.update(1, 4);
    reporter.finish(4, 4);
    expect(written.every((text) => !text.slice(0, -1).includes("\n"))).toBe(true);
    expect(written[0].startsWith("\r[")).toBe(true);
    expect(written.at(-1)).toBe("\n");
  });

  it("prints plain lines elsewhere, at most one per interval, and the last state at the end", () => {
    const written: string[] = [];
    const reporter = new ProgressReporter({ write: (text) => written.push(text) }, "done", 60_000);
    reporter.update(1, 4);
    reporter.update(2, 4);
    reporter.finish(4, 4);
    expect(written).toEqual(["1 of 4 done (25%)\n", "4 of 4 done (100%)\n"]);
  });
});
