/**
 * Whether an event matches Pinpoint's EventDimensions (an EventStartCondition's EventFilter, or a
 * split's EventCondition): its event type, attributes and metrics. Pure.
 */
import type { EventDimensions } from "@aws-sdk/client-pinpoint";

/** The parts of an event that EventDimensions read. */
export interface DimensionedEvent {
  EventType: string;
  Attributes?: Record<string, string>;
  Metrics?: Record<string, number>;
}

/** @example matchesEventDimensions({ EventType: { Values: ["purchase"] } }, { EventType: "purchase" }) // true */
export function matchesEventDimensions(dimensions: EventDimensions | undefined, event: DimensionedEvent): boolean {
  const types = dimensions?.EventType;
  if (!types) return true;
  const listed = (types.Values ?? []).includes(event.EventType);
  return types.DimensionType === "EXCLUSIVE" ? !listed : listed;
}
