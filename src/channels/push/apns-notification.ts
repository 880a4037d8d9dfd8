/**
 * The APNs request for one push message: the headers Apple routes and schedules by (apns-topic,
 * apns-push-type, apns-priority, apns-expiration) and the JSON payload (`aps` plus Pinpoint's
 * `data`). RawContent is the whole payload, sent as is; its push type follows from its `aps`.
 */
import type { DeliveryChannel, MessageOrigin, PushContent } from "../../messages/model.js";
import { iosData } from "./pinpoint-data.js";

export type ApnsPushType = "alert" | "background" | "voip";

export type ApnsRequest = { headers: Record<string, string>; payload: string } | { error: string };

/** The VoIP channels carry PushKit notifications, whose topic is the bundle ID with `.voip`. */
export function isVoipChannel(channel: DeliveryChannel): boolean {
  return channel === "APNS_VOIP" || channel === "APNS_VOIP_SANDBOX";
}

/** A raw payload that only wakes the app (content-available, no alert, badge or sound) is a background push. */
function rawPushType(aps: unknown): ApnsPushType {
  if (typeof aps !== "object" || aps === null) return "alert";
  const { alert, badge, sound } = aps as Record<string, unknown>;
  const contentAvailable = (aps as Record<string, unknown>)["content-available"];
  return contentAvailable === 1 && alert === undefined && badge === undefined && sound === undefined
    ? "background"
    : "alert";
}

/** Pinpoint takes APNs' numbers (5, 10) or FCM's words (normal, high); Apple requires 5 for background pushes. */
function apnsPriority(priority: string | undefined, pushType: ApnsPushType): string {
  if (pushType === "background") return "5";
  const value = priority?.toLowerCase();
  return value === "5" || value === "normal" ? "5" : "10";
}

function payloadOf(content: PushContent, origin: MessageOrigin): Record<string, unknown> {
  const aps: Record<string, unknown> = {};
  if (content.silent) {
    aps["content-available"] = 1;
  } else {
    const alert: Record<string, string> = {};
    if (content.title !== undefined) alert.title = content.title;
    if (content.body !== undefined) alert.body = content.body;
    aps.alert = alert;
    if (content.sound !== undefined) aps.sound = content.sound;
    // A notification service extension downloads the media (data["media-url"]) before display.
    if (content.imageUrl) aps["mutable-content"] = 1;
  }
  return { aps, data: iosData(content, origin) };
}

/**
 * @example apnsRequest("APNS", "com.example.app", { kind: "push", title: "Hi", data: {}, silent: false }, {}, Date.now())
 * // { headers: { "apns-topic": "com.example.app", "apns-push-type": "alert", "apns-priority": "10" }, payload: '{"aps":...}' }
 */
export function apnsRequest(
  channel: DeliveryChannel,
  topic: string | undefined,
  content: PushContent,
  origin: MessageOrigin,
  now: number,
): ApnsRequest {
  let payload: string;
  let pushType: ApnsPushType;
  if (content.raw !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content.raw);
    } catch {
      return { error: "RawContent is not valid JSON" };
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return { error: "RawContent must be a JSON object" };
    }
    payload = content.raw;
    pushType = rawPushType((parsed as Record<string, unknown>).aps);
  } else {
    payload = JSON.stringify(payloadOf(content, origin));
    pushType = content.silent ? "background" : "alert";
  }
  if (isVoipChannel(channel)) pushType = "voip";
  const headers: Record<string, string> = {
    "apns-push-type": pushType,
    "apns-priority": apnsPriority(content.priority, pushType),
  };
  if (topic) headers["apns-topic"] = topic;
  if (content.timeToLive !== undefined) {
    // 0 asks APNs to try once and never store the notification.
    headers["apns-expiration"] =
      content.timeToLive <= 0 ? "0" : String(Math.floor(now / 1000) + Math.floor(content.timeToLive));
  }
  return { headers, payload };
}
