/**
 * What an APNs answer means for the message, in Pinpoint's DeliveryStatus terms. APNs names its
 * errors in the body's `reason` (BadDeviceToken, Unregistered, TooManyRequests...).
 */
import type { DeliveryOutcome } from "../../messages/model.js";

/** The `reason` APNs gives in an error body, if any. */
export function apnsReason(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const reason = typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "reason") : undefined;
    return typeof reason === "string" ? reason : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @example apnsOutcome(410, undefined, '{"reason":"Unregistered"}')
 * // { status: "PERMANENT_FAILURE", statusCode: 410, statusMessage: "APNs Unregistered", deactivateEndpoint: true }
 */
export function apnsOutcome(status: number, apnsId: string | undefined, body: string): DeliveryOutcome {
  if (status === 200) {
    return { status: "SUCCESSFUL", statusCode: 200, statusMessage: "Accepted by APNs", providerMessageId: apnsId };
  }
  const reason = apnsReason(body) ?? `HTTP ${status}`;
  const statusMessage = `APNs ${reason}`;
  // The device token is dead: the app was removed, or the token was never valid for this environment.
  if (status === 410 || reason === "BadDeviceToken") {
    return { status: "PERMANENT_FAILURE", statusCode: status, statusMessage, deactivateEndpoint: true };
  }
  if (status === 429) return { status: "THROTTLED", statusCode: 429, statusMessage };
  if (status >= 500 || status === 0) return { status: "TEMPORARY_FAILURE", statusCode: status || 500, statusMessage };
  // 403 (the certificate or signing key refused), 413 (payload too large), other 400s: sending again changes nothing.
  return { status: "PERMANENT_FAILURE", statusCode: status, statusMessage };
}
