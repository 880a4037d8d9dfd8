/**
 * How an HTTP provider's answer reads as a delivery outcome, the same for every provider that
 * speaks plain HTTP (voice, custom channel webhooks and functions): accepted, try again later, or
 * never again.
 */
import type { DeliveryOutcome } from "../messages/model.js";

/**
 * 2xx is SUCCESSFUL; 429 is THROTTLED and 5xx TEMPORARY_FAILURE, both retried by the pipeline with
 * backoff; any other status is PERMANENT_FAILURE, since sending the same request again would be
 * refused again.
 * @example httpOutcome(503, "busy") // { status: "TEMPORARY_FAILURE", statusCode: 503, ... }
 */
export function httpOutcome(statusCode: number, detail: string): DeliveryOutcome {
  if (statusCode >= 200 && statusCode < 300) return { status: "SUCCESSFUL", statusCode: 200, statusMessage: detail };
  const statusMessage = `The provider answered ${statusCode}${detail ? `: ${detail.slice(0, 200)}` : ""}`;
  if (statusCode === 429) return { status: "THROTTLED", statusCode, statusMessage };
  if (statusCode >= 500) return { status: "TEMPORARY_FAILURE", statusCode, statusMessage };
  return { status: "PERMANENT_FAILURE", statusCode, statusMessage };
}

/**
 * A provider that could not be reached or did not answer in time: retried, since the message may
 * well go through later.
 */
export function unreachableOutcome(error: unknown): DeliveryOutcome {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    status: "TEMPORARY_FAILURE",
    statusCode: 500,
    statusMessage: `The provider could not be reached: ${reason}`,
  };
}
