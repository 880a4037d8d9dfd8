/**
 * What an FCM HTTP v1 answer means for the message, in Pinpoint's DeliveryStatus terms. FCM names
 * its errors in `error.details[].errorCode` (UNREGISTERED, QUOTA_EXCEEDED...), falling back to the
 * Google API status (INVALID_ARGUMENT, UNAVAILABLE...).
 */
import type { DeliveryOutcome } from "../../messages/model.js";

interface FcmErrorDetail {
  "@type"?: string;
  errorCode?: string;
  fieldViolations?: Array<{ field?: string; description?: string }>;
}

interface FcmAnswer {
  name?: string;
  error?: { code?: number; message?: string; status?: string; details?: FcmErrorDetail[] };
}

function parseAnswer(text: string): FcmAnswer {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as FcmAnswer) : {};
  } catch {
    return {};
  }
}

/** INVALID_ARGUMENT is about the token (dead) or about the message (our fault): only the first retires the endpoint. */
function blamesToken(answer: FcmAnswer): boolean {
  const details = answer.error?.details ?? [];
  if (details.some((detail) => detail.fieldViolations?.some((violation) => violation.field === "message.token"))) {
    return true;
  }
  return /registration token/i.test(answer.error?.message ?? "");
}

/**
 * @example fcmOutcome(404, '{"error":{"status":"NOT_FOUND","details":[{"errorCode":"UNREGISTERED"}]}}')
 * // { status: "PERMANENT_FAILURE", statusCode: 404, deactivateEndpoint: true, ... }
 */
export function fcmOutcome(statusCode: number, text: string): DeliveryOutcome {
  const answer = parseAnswer(text);
  if (statusCode === 200) {
    return { status: "SUCCESSFUL", statusCode: 200, statusMessage: "Accepted by FCM", providerMessageId: answer.name };
  }
  const error = answer.error ?? {};
  const code = error.details?.find((detail) => detail.errorCode)?.errorCode ?? error.status ?? `HTTP ${statusCode}`;
  const statusMessage = `FCM ${code}${error.message ? `: ${error.message}` : ""}`;
  if (code === "UNREGISTERED") {
    return { status: "PERMANENT_FAILURE", statusCode: 404, statusMessage, deactivateEndpoint: true };
  }
  if (code === "INVALID_ARGUMENT" && blamesToken(answer)) {
    return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage, deactivateEndpoint: true };
  }
  if (code === "QUOTA_EXCEEDED" || statusCode === 429) return { status: "THROTTLED", statusCode: 429, statusMessage };
  if (code === "UNAVAILABLE" || code === "INTERNAL" || statusCode >= 500) {
    return { status: "TEMPORARY_FAILURE", statusCode: statusCode >= 500 ? statusCode : 503, statusMessage };
  }
  return { status: "PERMANENT_FAILURE", statusCode: statusCode >= 400 ? statusCode : 500, statusMessage };
}
