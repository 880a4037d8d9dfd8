/**
 * Pure checks of a broadcast request: the event keeps to Pinpoint's event quotas (the same as
 * PutEvents), and an Id is safe in a path and in entry keys. Each answers the 400 message, or
 * undefined when the request is acceptable.
 */
import { eventLimits } from "../../events/index.js";
import type { WriteBroadcastRequest } from "./model.js";

/** No ":" (entry keys are `broadcast:<id>:<endpoint id>`) and nothing a path would have to escape. */
const idPattern = /^[A-Za-z0-9_.-]{1,128}$/;

/** @example checkBroadcastRequest({ EventType: "" }) // "EventType is required" */
export function checkBroadcastRequest(request: WriteBroadcastRequest): string | undefined {
  if (request.Id !== undefined && !idPattern.test(request.Id)) {
    return "Id must be 1 to 128 letters, digits, '-', '_' or '.'";
  }
  const type = request.EventType;
  if (typeof type !== "string" || type.trim() === "") return "EventType is required";
  if (type.length > eventLimits.eventTypeLength) {
    return `EventType must be at most ${eventLimits.eventTypeLength} characters`;
  }
  const attributes = Object.entries(request.Attributes ?? {});
  const metrics = Object.entries(request.Metrics ?? {});
  if (attributes.length + metrics.length > eventLimits.keysPerEvent) {
    return `A broadcast event can have at most ${eventLimits.keysPerEvent} attributes and metrics together`;
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
