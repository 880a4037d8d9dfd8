/** The activity graph and the state moves, without I/O. */
import { describe, expect, it } from "vitest";
import { type ActivityMap, activityEdges, holdsForDuration, loopWithoutWait, reaches } from "./graph.js";
import { nextState } from "./state.js";

const journey: ActivityMap = {
  send: { EMAIL: { TemplateName: "T", NextActivity: "pause" } },
  pause: { Wait: { WaitTime: { WaitFor: "P1D" }, NextActivity: "check" } },
  check: { ConditionalSplit: { TrueActivity: "send", FalseActivity: "pick" } },
  pick: {
    MultiCondition: { Branches: [{ NextActivity: "split" }, { NextActivity: "send" }], DefaultActivity: "end" },
  },
  split: { RandomSplit: { Branches: [{ Percentage: 50, NextActivity: "end" }, { Percentage: 50 }] } },
  end: { ContactCenter: {} },
};

describe("the activity graph", () => {
  it("lists each way out of an activity under the field that names it", () => {
    expect(activityEdges(journey.pick)).toEqual([
      { field: "Branches[0].NextActivity", target: "split" },
      { field: "Branches[1].NextActivity", target: "send" },
      { field: "DefaultActivity", target: "end" },
    ]);
    expect(activityEdges(journey.end)).toEqual([]);
  });

  it("finds paths of one or more steps only", () => {
    expect(reaches(journey, "send", "end")).toBe(true);
    expect(reaches(journey, "end", "send")).toBe(false);
    expect(reaches(journey, "send", "send")).toBe(true);
    expect(reaches(journey, "split", "split")).toBe(false);
  });

  it("lets a loop through a wait of some duration pass, and no other", () => {
    expect(loopWithoutWait(journey)).toBeUndefined();
    const instant = { ...journey, pause: { Wait: { WaitTime: { WaitFor: "PT0S" }, NextActivity: "check" } } };
    expect(loopWithoutWait(instant)).toEqual(["check", "send", "pause", "check"]);
    const dated = {
      ...journey,
      pause: { Wait: { WaitTime: { WaitUntil: "2031-01-01T00:00:00Z" }, NextActivity: "check" } },
    };
    expect(loopWithoutWait(dated)).toBeDefined();
    const waitingSplit = {
      ...dated,
      check: {
        ConditionalSplit: { EvaluationWaitTime: { WaitFor: "PT1H" }, TrueActivity: "send", FalseActivity: "pick" },
      },
    };
    expect(holdsForDuration(waitingSplit.check)).toBe(true);
    expect(loopWithoutWait(waitingSplit)).toBeUndefined();
  });
});

describe("journey states", () => {
  it("moves as Pinpoint allows", () => {
    expect(nextState("DRAFT", "ACTIVE")).toBe("ACTIVE");
    expect(nextState("ACTIVE", "PAUSED")).toBe("PAUSED");
    expect(nextState("PAUSED", "ACTIVE")).toBe("ACTIVE");
    expect(nextState("PAUSED", "CANCELLED")).toBe("CANCELLED");
    expect(nextState("CANCELLED", "CANCELLED")).toBe("CANCELLED");
  });

  it("refuses what Pinpoint refuses", () => {
    expect(() => nextState("CANCELLED", "ACTIVE")).toThrow(/never restarts/);
    expect(() => nextState("COMPLETED", "CANCELLED")).toThrow(/A COMPLETED journey cannot become CANCELLED/);
    expect(() => nextState("DRAFT", "PAUSED")).toThrow(/A DRAFT journey cannot become PAUSED/);
    expect(() => nextState("ACTIVE", "CLOSED")).toThrow(/set by Waymark/);
    expect(() => nextState("ACTIVE", undefined)).toThrow(/State must be ACTIVE, PAUSED or CANCELLED/);
  });
});
