import type { Activity, SimpleCondition } from "@aws-sdk/client-pinpoint";
import { describe, expect, it } from "vitest";
import { segmentDimensionsOf, withWireSpelling } from "./segment-dimensions.js";

const pro = { Attributes: { Plan: { Values: ["pro"] } } };
const free = { Attributes: { Plan: { Values: ["free"] } } };

describe("segment dimensions' spelling", () => {
  it("a condition's dimensions are read as Pinpoint spells them on the wire", () => {
    expect(segmentDimensionsOf({ segmentDimensions: pro } as SimpleCondition)).toBe(pro);
    expect(segmentDimensionsOf({ SegmentCondition: { SegmentId: "s" } })).toBeUndefined();
  });

  it("the SDK's spelling is respelt in ConditionalSplit and MultiCondition conditions, and nothing else changes", () => {
    const activities: Record<string, Activity> = {
      split: {
        ConditionalSplit: {
          Condition: { Conditions: [{ SegmentDimensions: pro }, { SegmentCondition: { SegmentId: "s" } }] },
          TrueActivity: "wait",
        },
      },
      route: {
        MultiCondition: {
          Branches: [{ Condition: { SegmentDimensions: free }, NextActivity: "wait" }, { NextActivity: "wait" }],
          DefaultActivity: "wait",
        },
      },
      wait: { Wait: { WaitTime: { WaitFor: "P1D" } } },
    };
    const respelt = withWireSpelling({ Name: "Spelling", Activities: activities });
    expect(respelt).toEqual({
      Name: "Spelling",
      Activities: {
        split: {
          ConditionalSplit: {
            Condition: { Conditions: [{ segmentDimensions: pro }, { SegmentCondition: { SegmentId: "s" } }] },
            TrueActivity: "wait",
          },
        },
        route: {
          MultiCondition: {
            Branches: [{ Condition: { segmentDimensions: free }, NextActivity: "wait" }, { NextActivity: "wait" }],
            DefaultActivity: "wait",
          },
        },
        wait: { Wait: { WaitTime: { WaitFor: "P1D" } } },
      },
    });
    // The definition read in was not changed under its reader.
    expect(activities.split.ConditionalSplit?.Condition?.Conditions?.[0]).toEqual({ SegmentDimensions: pro });
  });

  it("a condition with both spellings keeps the wire's; a definition spelt right is the same object", () => {
    const both = { segmentDimensions: pro, SegmentDimensions: free } as SimpleCondition;
    const respelt = withWireSpelling({
      Activities: { split: { ConditionalSplit: { Condition: { Conditions: [both] } } } },
    });
    expect(respelt.Activities?.split.ConditionalSplit?.Condition?.Conditions).toEqual([{ segmentDimensions: pro }]);
    const wire = {
      Activities: {
        split: { ConditionalSplit: { Condition: { Conditions: [{ segmentDimensions: pro } as SimpleCondition] } } },
      },
    };
    expect(withWireSpelling(wire)).toBe(wire);
    const draft: { Name: string; Activities?: Record<string, Activity> } = { Name: "No activities yet" };
    expect(withWireSpelling(draft)).toBe(draft);
  });
});
