import type { Kysely } from "kysely";
import type { Services } from "../../services.js";
import type { Database } from "../../store/index.js";
import type { DeliveryOutcome } from "../model.js";
import { originAttributes, recordSystemEvents, type SystemEvent, sendEventType } from "../system-events.js";
import type { ClaimedMessage } from "./claim.js";

/** Backoff before the nth retry of a throttled or temporarily failed message: 1 s doubling, at most 5 minutes. */
export function messageRetryDelayMs(attempt: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempt - 1), 5 * 60 * 1000);
}

const retryable = new Set(["THROTTLED", "TEMPORARY_FAILURE"]);

/**
 * Writes what each attempt came to, in the caller's transaction: final statuses end the message,
 * throttling and temporary failures requeue it with backoff until its attempts run out, dead
 * addresses retire their endpoint, and each final outcome is recorded as Pinpoint's system event.
 * Answers how many event stream records it queued.
 */
export async function recordOutcomes(
  db: Kysely<Database>,
  services: Services,
  messages: ClaimedMessage[],
  outcomes: DeliveryOutcome[],
  now = Date.now(),
): Promise<number> {
  const events: SystemEvent[] = [];
  const deadEndpoints: Array<{ appId: string; endpointId: string }> = [];
  for (const [i, message] of messages.entries()) {
    const outcome = outcomes[i];
    const retry = retryable.has(outcome.status) && message.attempt < message.maxAttempts;
    await db
      .updateTable("messages")
      .set({
        status: retry ? "QUEUED" : outcome.status,
        status_code: outcome.statusCode,
        status_message: outcome.statusMessage ?? null,
        provider_message_id: outcome.providerMessageId ?? null,
        next_attempt_ms: retry ? now + messageRetryDelayMs(message.attempt) : null,
        updated_ms: now,
      })
      .where("id", "=", message.id)
      .execute();
    if (retry) continue;
    if (outcome.deactivateEndpoint && message.endpointId) {
      deadEndpoints.push({ appId: message.appId, endpointId: message.endpointId });
    }
    const eventType = sendEventType(message.channel, outcome.status);
    if (!eventType) continue;
    events.push({
      appId: message.appId,
      endpointId: message.endpointId ?? message.address,
      messageId: message.id,
      eventType,
      timestampMs: now,
      attributes: {
        ...originAttributes(message.origin),
        destination: message.address,
        delivery_status: outcome.status,
        ...(outcome.statusMessage ? { status_message: outcome.statusMessage.slice(0, 200) } : {}),
      },
    });
  }
  for (const { appId, endpointId } of deadEndpoints) {
    await db
      .updateTable("endpoints")
      .set({ endpoint_status: "INACTIVE" })
      .where("app_id", "=", appId)
      .where("id", "=", endpointId)
      .execute();
  }
  return recordSystemEvents(db, services, events, now);
}
