/**
 * What a custom channel function answers, as Pinpoint reads it (developer guide, "Lambda function
 * response format"): `{ "<endpoint id>": { "EventAttributes": { "<key>": "<value>" } } }`. Journey
 * splits after a custom activity choose a path by these attributes, so each endpoint's are kept
 * on its send event.
 */
import { eventLimits } from "../../events/validate.js";

/** Room left for the attributes Waymark itself puts on a send event (message id, origin, status...). */
const functionAttributesPerEvent = eventLimits.keysPerEvent - 10;

/**
 * The EventAttributes per endpoint key from a function's answer. Anything else in the answer (a
 * plain "ok", Lambda's `{statusCode, body}`) carries no attributes. Numbers and booleans are kept
 * as strings; keys and values are held to the event quotas.
 * @example eventAttributesByEndpoint('{"ep-1":{"EventAttributes":{"plan":"gold"}}}') // Map { "ep-1" => { plan: "gold" } }
 */
export function eventAttributesByEndpoint(answer: string): Map<string, Record<string, string>> {
  const result = new Map<string, Record<string, string>>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer);
  } catch {
    return result;
  }
  if (!isObject(parsed)) return result;
  for (const [endpointKey, value] of Object.entries(parsed)) {
    if (!isObject(value) || !isObject(value.EventAttributes)) continue;
    const attributes: Record<string, string> = {};
    for (const [key, raw] of Object.entries(value.EventAttributes)) {
      if (Object.keys(attributes).length >= functionAttributesPerEvent) break;
      if (key.length === 0 || key.length > eventLimits.keyLength) continue;
      if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") continue;
      attributes[key] = String(raw).slice(0, eventLimits.attributeValueLength);
    }
    result.set(endpointKey, attributes);
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
