/**
 * Pure checks of events against Pinpoint's event quotas: PutEvents' and the event a broadcast
 * carries. Each returns the message a client sees for that event, or undefined when it is acceptable.
 */
import type { Event } from "@aws-sdk/client-pinpoint";

/** Pinpoint's documented quotas for events (quotas.md, "Events ingestion quotas"). */
export const eventLimits = {
  eventsPerRequest: 100,
  bytesPerRequest: 4 * 1024 * 1024,
  keysPerEvent: 40,
  keyLength: 50,
  attributeValueLength: 200,
  eventTypeLength: 50,
} as const;

/**
 * What every event keeps to, wherever it comes from (PutEvents, a broadcast): its EventType, and
 * its attributes and metrics within Pinpoint's quotas.
 * @example checkEventContent({ EventType: "x", Metrics: { score: Number.NaN } }) // "Metrics.score must be a number"
 */
export function checkEventContent(event: {
  EventType?: unknown;
  Attributes?: Record<string, unknown>;
  Metrics?: Record<string, unknown>;
}): string | undefined {
  if (typeof event.EventType !== "string" || event.EventType.trim() === "") return "EventType is required";
  if (event.EventType.length > eventLimits.eventTypeLength) {
    return `EventType must be at most ${eventLimits.eventTypeLength} characters`;
  }
  const attributes = Object.entries(event.Attributes ?? {});
  const metrics = Object.entries(event.Metrics ?? {});
  if (attributes.length + metrics.length > eventLimits.keysPerEvent) {
    return `An event can have at most ${eventLimits.keysPerEvent} attributes and metrics together`;
  }
  for (const [key, value] of attributes) {
    if (key.length === 0 || key.length > eventLimits.keyLength) {
      return `Attribute name "${key.slice(0, 60)}" must be 1 to ${eventLimits.keyLength} characters`;
    }
    if (typeof value !== "string") return `Attributes.${key} must be a string`;
    if (value.length > eventLimits.attributeValueLength) {
      return `Attributes.${key} must be at most ${eventLimits.attributeValueLength} characters`;
    }
  }
  for (const [key, value] of metrics) {
    if (key.length === 0 || key.length > eventLimits.keyLength) {
      return `Metric name "${key.slice(0, 60)}" must be 1 to ${eventLimits.keyLength} characters`;
    }
    if (typeof value !== "number" || !Number.isFinite(value)) return `Metrics.${key} must be a number`;
  }
  return undefined;
}

/** A PutEvents event: its content, and the times it was recorded at. @example checkEvent(event) // undefined */
export function checkEvent(event: Event): string | undefined {
  const contentError = checkEventContent(event);
  if (contentError) return contentError;
  if (typeof event.Timestamp !== "string" || Number.isNaN(Date.parse(event.Timestamp))) {
    return "Timestamp must be an ISO 8601 date and time";
  }
  if (event.Session && Number.isNaN(Date.parse(event.Session.StartTimestamp ?? ""))) {
    return "Session.StartTimestamp must be an ISO 8601 date and time";
  }
  return undefined;
}
