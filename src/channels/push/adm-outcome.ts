/**
 * What an Amazon Device Messaging answer means for the message, in Pinpoint's DeliveryStatus terms.
 * ADM names its errors in the body's `reason` (InvalidRegistrationId, Unregistered, MaxRateExceeded...).
 */
import type { DeliveryOutcome } from "../../messages/model.js";

/** The registration ID is dead: the app was uninstalled or never registered with this app's credentials. */
const deadRegistrations = new Set(["InvalidRegistrationId", "Unregistered"]);

function parseAnswer(text: string): { reason?: string; registrationID?: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as { reason?: string }) : {};
  } catch {
    return {};
  }
}

/**
 * @example admOutcome(400, "req-1", '{"reason":"InvalidRegistrationId"}')
 * // { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: "ADM InvalidRegistrationId", deactivateEndpoint: true }
 */
export function admOutcome(statusCode: number, requestId: string | undefined, text: string): DeliveryOutcome {
  if (statusCode === 200) {
    return { status: "SUCCESSFUL", statusCode: 200, statusMessage: "Accepted by ADM", providerMessageId: requestId };
  }
  const reason = parseAnswer(text).reason ?? `HTTP ${statusCode}`;
  const statusMessage = `ADM ${reason}`;
  if (deadRegistrations.has(reason)) {
    return { status: "PERMANENT_FAILURE", statusCode, statusMessage, deactivateEndpoint: true };
  }
  if (statusCode === 429) return { status: "THROTTLED", statusCode: 429, statusMessage };
  if (statusCode >= 500) return { status: "TEMPORARY_FAILURE", statusCode, statusMessage };
  return { status: "PERMANENT_FAILURE", statusCode, statusMessage };
}
