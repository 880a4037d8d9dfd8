/** The engine's decisions that need no database: branches, conditions, waits and caps. */
import type { Activity, SimpleCondition } from "@aws-sdk/client-pinpoint";
import { describe, expect, it } from "vitest";
import { chooseBranch } from "../src/journeys/engine/conditional-split.js";
import { type ConditionFacts, conditionHolds } from "../src/journeys/engine/conditions.js";
import { participantPercentile, randomBranch } from "../src/journeys/engine/random-split.js";
import { capReached, sendingDay } from "../src/journeys/engine/sending-limits.js";
import { waitEndMs } from "../src/journeys/engine/wait.js";

const opened: SimpleCondition = {
  EventCondition: {
    MessageActivity: "announce",
    Dimensions: { EventType: { DimensionType: "INCLUSIVE", Values: ["_email.open"] } },
  },
};
const pro = { SegmentId: "pro" };
const proCondition: SimpleCondition = { SegmentCondition: pro };

function facts(events: Record<string, string[]>, proMembers: string[]): ConditionFacts {
  return {
    messageEvents: new Map(
      Object.entries(events).map(([messageId, types]) => [messageId, types.map((EventType) => ({ EventType }))]),
    ),
    members: new Map([[pro, new Set(proMembers)]]),
  };
}

describe("journey engine decisions", () => {
  it("an engagement condition reads the events of the participant's own message from the named activity", () => {
    const known = facts({ "m-1": ["_email.send", "_email.open"], "m-2": ["_email.send"] }, []);
    expect(conditionHolds({ Conditions: [opened] }, { endpointId: "a", messages: { announce: "m-1" } }, known)).toBe(
      true,
    );
    expect(conditionHolds({ Conditions: [opened] }, { endpointId: "b", messages: { announce: "m-2" } }, known)).toBe(
      false,
    );
    // Skipped at that activity (no message): it did not open anything.
    expect(conditionHolds({ Conditions: [opened] }, { endpointId: "c", messages: {} }, known)).toBe(false);
  });

  it("a Condition holds for ALL of its conditions by default, or for ANY", () => {
    const known = facts({ "m-1": ["_email.open"] }, ["b"]);
    const a = { endpointId: "a", messages: { announce: "m-1" } };
    const b = { endpointId: "b", messages: {} };
    expect(conditionHolds({ Conditions: [opened, proCondition] }, a, known)).toBe(false);
    expect(conditionHolds({ Operator: "ANY", Conditions: [opened, proCondition] }, a, known)).toBe(true);
    expect(conditionHolds({ Operator: "ANY", Conditions: [opened, proCondition] }, b, known)).toBe(true);
  });

  it("MultiCondition numbers its branches in order and its default last", () => {
    const activity: Activity = {
      MultiCondition: {
        Branches: [
          { Condition: opened, NextActivity: "thanks" },
          { Condition: proCondition, NextActivity: "upsell" },
        ],
        DefaultActivity: "nudge",
      },
    };
    const known = facts({ "m-1": ["_email.open"] }, ["pro-user", "opener"]);
    const branch = (endpointId: string, messages: Record<string, string>) =>
      chooseBranch(activity, { endpointId, messages }, known);
    expect(branch("opener", { announce: "m-1" })).toEqual({ number: 1, next: "thanks" });
    expect(branch("pro-user", {})).toEqual({ number: 2, next: "upsell" });
    expect(branch("other", {})).toEqual({ number: 3, next: "nudge" });
  });

  it("a participant's percentile is fixed by its id and the activity, and spread evenly", () => {
    expect(participantPercentile(42, "split")).toBe(participantPercentile(42, "split"));
    expect(participantPercentile(42, "split")).not.toBe(participantPercentile(42, "holdout"));
    const counts = [0, 0, 0];
    const branches = [{ Percentage: 20 }, { Percentage: 30 }, { Percentage: 50 }];
    for (let id = 1; id <= 10_000; id++) counts[randomBranch(branches, participantPercentile(id, "split"))]++;
    expect(counts[0]).toBeGreaterThan(1800);
    expect(counts[0]).toBeLessThan(2200);
    expect(counts[1]).toBeGreaterThan(2700);
    expect(counts[1]).toBeLessThan(3300);
    // Percentages short of 100 leave the remainder to the last branch.
    expect(randomBranch([{ Percentage: 10 }, { Percentage: 10 }], 99.9)).toBe(1);
  });

  it("a wait ends WaitFor after arrival, or at WaitUntil, never before arrival", () => {
    const arrived = Date.parse("2026-01-31T09:00:00Z");
    expect(waitEndMs({ WaitFor: "P1M" }, arrived)).toBe(Date.parse("2026-02-28T09:00:00Z"));
    expect(waitEndMs({ WaitUntil: "2026-02-02T00:00:00Z" }, arrived)).toBe(Date.parse("2026-02-02T00:00:00Z"));
    expect(waitEndMs({ WaitUntil: "2025-01-01T00:00:00Z" }, arrived)).toBe(arrived);
    expect(waitEndMs(undefined, arrived)).toBe(arrived);
  });

  it("caps: the daily window restarts 24 hours after its first message; the total and the timeframe count on", () => {
    const now = Date.parse("2026-11-23T12:00:00Z");
    const counters = { sentTotal: 4, sentDayStartMs: now - 3_600_000, sentToday: 2 };
    expect(capReached({ DailyCap: 2 }, counters, 0, now)).toBe("DAILY_CAP");
    expect(capReached({ DailyCap: 2 }, counters, 0, now + 23 * 3_600_000)).toBeUndefined();
    expect(sendingDay(counters, now + 23 * 3_600_000)).toEqual({ dayStartMs: now + 23 * 3_600_000, sentToday: 0 });
    expect(capReached({ TotalCap: 4 }, counters, 0, now)).toBe("TOTAL_CAP");
    expect(capReached({ TimeframeCap: { Cap: 5, Days: 7 } }, counters, 5, now)).toBe("TIMEFRAME_CAP");
    expect(
      capReached({ DailyCap: 3, TotalCap: 5, TimeframeCap: { Cap: 5, Days: 7 } }, counters, 4, now),
    ).toBeUndefined();
  });
});
