import { describe, expect, it } from "vitest";
import type { JourneyDefinition } from "../model.js";
import { entryWindow, eventTrigger, fannedOutSegment, isOneTime, isOpen } from "./start-condition.js";

const broadcast: JourneyDefinition = {
  Name: "b",
  StartCondition: {
    EventStartCondition: {
      EventFilter: { FilterType: "BROADCAST" as "ENDPOINT", Dimensions: { EventType: { Values: ["launch"] } } },
      SegmentId: "everyone",
    },
  },
};

describe("a journey's start condition", () => {
  it("fans out the SegmentStartCondition's segment, or a broadcast trigger's, and never an event journey's", () => {
    expect(fannedOutSegment({ Name: "s", StartCondition: { SegmentStartCondition: { SegmentId: "s1" } } })).toBe("s1");
    expect(fannedOutSegment(broadcast)).toBe("everyone");
    const event: JourneyDefinition = {
      Name: "e",
      StartCondition: {
        EventStartCondition: { EventFilter: { FilterType: "ENDPOINT", Dimensions: {} }, SegmentId: "limit" },
      },
    };
    expect(fannedOutSegment(event)).toBeUndefined();
  });

  it("reads the filter type, ENDPOINT when it is absent", () => {
    expect(eventTrigger(broadcast)?.filterType).toBe("BROADCAST");
    expect(eventTrigger({ Name: "e", StartCondition: { EventStartCondition: {} } })?.filterType).toBe("ENDPOINT");
    expect(eventTrigger({ Name: "s", StartCondition: { SegmentStartCondition: { SegmentId: "s" } } })).toBeUndefined();
  });

  it("is one-time without RefreshFrequency or RefreshOnSegmentUpdate", () => {
    expect(isOneTime({ Name: "s" })).toBe(true);
    expect(isOneTime({ Name: "s", RefreshFrequency: "P1D" })).toBe(false);
    expect(isOneTime({ Name: "s", RefreshOnSegmentUpdate: true })).toBe(false);
  });

  it("opens at Schedule.StartTime and closes at EndTime, from ISO text or a Date", () => {
    const window = entryWindow({
      Name: "w",
      Schedule: { StartTime: "2026-12-01T00:00:00Z" as unknown as Date, EndTime: new Date("2026-12-02T00:00:00Z") },
    });
    expect(window).toEqual({ startMs: Date.parse("2026-12-01T00:00:00Z"), endMs: Date.parse("2026-12-02T00:00:00Z") });
    expect(isOpen(window, Date.parse("2026-11-30T23:59:59Z"))).toBe(false);
    expect(isOpen(window, Date.parse("2026-12-01T00:00:00Z"))).toBe(true);
    expect(isOpen(window, Date.parse("2026-12-02T00:00:00Z"))).toBe(false);
    expect(isOpen(entryWindow({ Name: "open" }), 0)).toBe(true);
  });
});
