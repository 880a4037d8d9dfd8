/**
 * Pure checks of a broadcast request: the event keeps to Pinpoint's event quotas (the same rules
 * as PutEvents), and an Id is safe in a path and in entry keys. Answers the 400 message, or
 * undefined when the request is acceptable.
 */
import { checkEventContent } from "../../events/index.js";
import type { WriteBroadcastRequest } from "./model.js";

/** No ":" (entry keys are `broadcast:<id>:<endpoint id>`) and nothing a path would have to escape. */
const idPattern = /^[A-Za-z0-9_.-]{1,128}$/;

/** @example checkBroadcastRequest({ EventType: "" }) // "EventType is required" */
export function checkBroadcastRequest(request: WriteBroadcastRequest): string | undefined {
  if (request.Id !== undefined && !idPattern.test(request.Id)) {
    return "Id must be 1 to 128 letters, digits, '-', '_' or '.'";
  }
  return checkEventContent(request);
}
