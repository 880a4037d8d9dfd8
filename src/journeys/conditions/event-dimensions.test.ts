import type { AttributeType, EventDimensions, MetricDimension } from "@aws-sdk/client-pinpoint";
import { describe, expect, it } from "vitest";
import { type DimensionedEvent, matchesEventDimensions } from "./event-dimensions.js";

const release: DimensionedEvent = {
  EventType: "feature.released",
  Attributes: { feature: "dark-mode", area: "settings/display", releasedAt: "2026-06-15T09:30:00Z" },
  Metrics: { tier: 2, size: 0.5 },
};

const matches = (dimensions: EventDimensions | undefined, event = release) => matchesEventDimensions(dimensions, event);

describe("event dimensions", () => {
  it("no dimensions, or empty ones, match every event", () => {
    expect(matches(undefined)).toBe(true);
    expect(matches({})).toBe(true);
  });

  it("an INCLUSIVE event type matches the listed types only, EXCLUSIVE every other", () => {
    expect(matches({ EventType: { Values: ["feature.released", "other"] } })).toBe(true);
    expect(matches({ EventType: { DimensionType: "INCLUSIVE", Values: ["Feature.Released"] } })).toBe(false);
    expect(matches({ EventType: { DimensionType: "EXCLUSIVE", Values: ["feature.released"] } })).toBe(false);
    expect(matches({ EventType: { DimensionType: "EXCLUSIVE", Values: ["_session.start"] } })).toBe(true);
  });

  it("INCLUSIVE and EXCLUSIVE attributes compare whole values; a missing attribute meets EXCLUSIVE only", () => {
    expect(matches({ Attributes: { feature: { AttributeType: "INCLUSIVE", Values: ["dark-mode"] } } })).toBe(true);
    expect(matches({ Attributes: { feature: { Values: ["dark"] } } })).toBe(false);
    expect(matches({ Attributes: { feature: { AttributeType: "EXCLUSIVE", Values: ["dark-mode"] } } })).toBe(false);
    expect(matches({ Attributes: { feature: { AttributeType: "EXCLUSIVE", Values: ["search"] } } })).toBe(true);
    expect(matches({ Attributes: { missing: { AttributeType: "INCLUSIVE", Values: ["x"] } } })).toBe(false);
    expect(matches({ Attributes: { missing: { AttributeType: "EXCLUSIVE", Values: ["x"] } } })).toBe(true);
  });

  it("CONTAINS looks for any of the substrings", () => {
    expect(matches({ Attributes: { area: { AttributeType: "CONTAINS", Values: ["nope", "display"] } } })).toBe(true);
    expect(matches({ Attributes: { area: { AttributeType: "CONTAINS", Values: ["Display"] } } })).toBe(false);
    expect(matches({ Attributes: { missing: { AttributeType: "CONTAINS", Values: [""] } } })).toBe(false);
  });

  it("BEFORE, AFTER, ON and BETWEEN compare instants", () => {
    const on = (AttributeType: AttributeType, ...Values: string[]) =>
      matches({ Attributes: { releasedAt: { AttributeType, Values } } });
    expect(on("BEFORE", "2026-06-15T09:30:00.001Z")).toBe(true);
    expect(on("BEFORE", "2026-06-15T09:30:00Z")).toBe(false);
    expect(on("AFTER", "2026-06-15T11:00:00+02:00")).toBe(true);
    expect(on("AFTER", "2026-06-16T00:00:00Z")).toBe(false);
    expect(on("ON", "2026-06-15T23:59:00Z")).toBe(true);
    expect(on("ON", "2026-06-14T09:30:00Z")).toBe(false);
    expect(on("BETWEEN", "2026-06-16T00:00:00Z", "2026-06-15T09:30:00Z")).toBe(true);
    expect(on("BETWEEN", "2026-06-01T00:00:00Z", "2026-06-15T09:29:59Z")).toBe(false);
    expect(on("AFTER", "not a date")).toBe(false);
    expect(matches({ Attributes: { feature: { AttributeType: "AFTER", Values: ["2000-01-01T00:00:00Z"] } } })).toBe(
      false,
    );
  });

  it("metrics compare with each operator; a missing metric meets none", () => {
    const metric = (ComparisonOperator: MetricDimension["ComparisonOperator"], Value: number, name = "tier") =>
      matches({ Metrics: { [name]: { ComparisonOperator, Value } } });
    expect(metric("EQUAL", 2)).toBe(true);
    expect(metric("EQUAL", 3)).toBe(false);
    expect(metric("GREATER_THAN", 1)).toBe(true);
    expect(metric("GREATER_THAN", 2)).toBe(false);
    expect(metric("GREATER_THAN_OR_EQUAL", 2)).toBe(true);
    expect(metric("LESS_THAN", 2)).toBe(false);
    expect(metric("LESS_THAN", 0.6, "size")).toBe(true);
    expect(metric("LESS_THAN_OR_EQUAL", 0.5, "size")).toBe(true);
    expect(metric("LESS_THAN_OR_EQUAL", 0.4, "size")).toBe(false);
    expect(metric("LESS_THAN", 100, "missing")).toBe(false);
  });

  it("every dimension given must hold", () => {
    const dimensions: EventDimensions = {
      EventType: { Values: ["feature.released"] },
      Attributes: { feature: { Values: ["dark-mode"] } },
      Metrics: { tier: { ComparisonOperator: "GREATER_THAN_OR_EQUAL", Value: 2 } },
    };
    expect(matches(dimensions)).toBe(true);
    expect(matches(dimensions, { ...release, EventType: "feature.retired" })).toBe(false);
    expect(matches(dimensions, { ...release, Attributes: { feature: "search" } })).toBe(false);
    expect(matches(dimensions, { ...release, Metrics: { tier: 1 } })).toBe(false);
    expect(matches(dimensions, { EventType: "feature.released" })).toBe(false);
  });
});
