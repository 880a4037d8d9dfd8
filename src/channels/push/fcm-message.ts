/**
 * The FCM HTTP v1 request for one push message. Like Pinpoint, Waymark sends Android notifications
 * as data messages carrying Pinpoint's keys (see pinpoint-data.ts): the app's Pinpoint SDK renders
 * them and records opens, which a `notification` block would bypass when the app is in the
 * background. RawContent replaces everything: a v1 `{"message": {...}}` body is sent as is (with the
 * token set), and a legacy FCM payload (`data`, `notification`, `priority`, `time_to_live`,
 * `collapse_key`), which Pinpoint users wrote before v1, is translated field by field.
 */
import type { MessageOrigin, PushContent } from "../../messages/model.js";
import { androidData } from "./pinpoint-data.js";

export type FcmRequest = { body: { message: Record<string, unknown> } } | { error: string };

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Pinpoint takes FCM's words (normal, high) or APNs' numbers (5, 10) for the priority. */
function androidPriority(priority: string | undefined, silent: boolean): "HIGH" | "NORMAL" {
  const value = priority?.toLowerCase();
  if (value === "high" || value === "10") return "HIGH";
  if (value === "normal" || value === "5" || value === "default") return "NORMAL";
  // Unset: visible notifications go at once (the SDK must wake to render them); silent ones wait.
  return silent ? "NORMAL" : "HIGH";
}

/** FCM v1 data values must be strings; legacy payloads often held numbers and booleans. */
function stringValues(data: JsonObject): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
  );
}

function fromLegacy(raw: JsonObject): JsonObject {
  const message: JsonObject = {};
  const android: JsonObject = {};
  if (isObject(raw.data)) message.data = stringValues(raw.data);
  if (isObject(raw.notification)) {
    const { title, body, image, ...platform } = raw.notification;
    message.notification = Object.fromEntries(
      Object.entries({ title, body, image }).filter(([, value]) => value !== undefined),
    );
    if (Object.keys(platform).length > 0) android.notification = platform;
  }
  if (typeof raw.priority === "string") android.priority = androidPriority(raw.priority, false);
  if (typeof raw.time_to_live === "number") android.ttl = `${raw.time_to_live}s`;
  if (typeof raw.collapse_key === "string") android.collapse_key = raw.collapse_key;
  if (typeof raw.restricted_package_name === "string") android.restricted_package_name = raw.restricted_package_name;
  if (Object.keys(android).length > 0) message.android = android;
  return message;
}

function fromRaw(raw: string, token: string): FcmRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { error: "RawContent is not valid JSON" };
  }
  if (!isObject(parsed)) return { error: "RawContent must be a JSON object" };
  const message = isObject(parsed.message) ? parsed.message : fromLegacy(parsed);
  return { body: { message: { ...message, token } } };
}

/**
 * The `messages:send` body for one device token.
 * @example fcmRequest("dA1...", { kind: "push", title: "Hi", data: {}, silent: false }, {})
 */
export function fcmRequest(token: string, content: PushContent, origin: MessageOrigin): FcmRequest {
  if (content.raw !== undefined) return fromRaw(content.raw, token);
  const android: JsonObject = { priority: androidPriority(content.priority, content.silent) };
  if (content.timeToLive !== undefined) android.ttl = `${content.timeToLive}s`;
  return { body: { message: { token, data: androidData(content, origin), android } } };
}
