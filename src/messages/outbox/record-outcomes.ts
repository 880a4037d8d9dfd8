import { CompiledQuery, type Kysely, sql } from "kysely";
import { addMetrics, type MetricIncrement } from "../../journeys/metrics-store.js";
import type { Services } from "../../services.js";
import type { Database } from "../../store/index.js";
import type { DeliveryOutcome } from "../model.js";
import { originAttributes, recordSystemEvents, type SystemEvent, sendEventType } from "../system-events.js";
import type { TakenMessage } from "./claim.js";

/** Backoff before the nth retry of a throttled or temporarily failed message: 1 s doubling, at most 5 minutes. */
export function messageRetryDelayMs(attempt: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempt - 1), 5 * 60 * 1000);
}

const retryable = new Set(["THROTTLED", "TEMPORARY_FAILURE"]);

interface OutcomeRow {
  id: string;
  attempt: number;
  status: string;
  statusCode: number;
  statusMessage: string | null;
  providerMessageId: string | null;
  nextAttemptMs: number | null;
}

const rowsPerStatement = 500;

/**
 * The full-size statement's text, per database: Kysely's building of 500 rows' VALUES took
 * ~1.1-1.7 ms (2-3 µs a message), about what running it did.
 */
const fullStatements = new WeakMap<object, string>();

/**
 * One UPDATE ... FROM (VALUES ...) per 500 messages rather than one statement each: the outcomes
 * of a batch differ per message (provider ids), and per-row statements capped the sandbox pipeline
 * at about 3,000 messages/s. Both SQLite (3.33+) and PostgreSQL name VALUES columns column1..N.
 */
function outcomesUpdate(rows: OutcomeRow[], now: number) {
  const values = rows.map((row) => sql`(${sql.join(valuesOf(row))})`);
  return sql`
    UPDATE messages SET
      updated_ms = ${now},
      status = v.column2,
      status_code = CAST(v.column3 AS integer),
      status_message = v.column4,
      provider_message_id = v.column5,
      next_attempt_ms = CAST(v.column6 AS bigint),
      attempts = CAST(v.column7 AS integer)
    FROM (VALUES ${sql.join(values)}) AS v
    WHERE messages.id = v.column1`;
}

function valuesOf(row: OutcomeRow): unknown[] {
  return [row.id, row.status, row.statusCode, row.statusMessage, row.providerMessageId, row.nextAttemptMs, row.attempt];
}

async function updateMessages(db: Kysely<Database>, rows: OutcomeRow[], now: number): Promise<void> {
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    const slice = rows.slice(i, i + rowsPerStatement);
    if (slice.length < rowsPerStatement) {
      await outcomesUpdate(slice, now).execute(db);
      continue;
    }
    const adapter = db.getExecutor().adapter;
    const text = fullStatements.get(adapter) ?? outcomesUpdate(slice, now).compile(db).sql;
    fullStatements.set(adapter, text);
    // The parameters in the text's order: `now`, then each row's values.
    await db.executeQuery(CompiledQuery.raw(text, [now, ...slice.flatMap(valuesOf)]));
  }
}

/**
 * Writes what each attempt came to, in the caller's transaction: final statuses end the message,
 * throttling and temporary failures requeue it with backoff until its attempts run out, dead
 * addresses retire their endpoint, and each final outcome is recorded as Pinpoint's system event.
 * Answers how many event stream records it queued.
 */
export async function recordOutcomes(
  db: Kysely<Database>,
  services: Services,
  messages: TakenMessage[],
  outcomes: DeliveryOutcome[],
  now = Date.now(),
): Promise<number> {
  const events: SystemEvent[] = [];
  const deadEndpoints: Array<{ appId: string; endpointId: string }> = [];
  const updates: OutcomeRow[] = [];
  const journeyMetrics: MetricIncrement[] = [];
  for (const [i, message] of messages.entries()) {
    const outcome = outcomes[i];
    const retry = retryable.has(outcome.status) && message.attempt < message.maxAttempts;
    updates.push({
      id: message.id,
      // Messages sent in the transaction that took them were never marked SENDING: the attempt is counted here.
      attempt: message.attempt,
      status: retry ? "QUEUED" : outcome.status,
      statusCode: outcome.statusCode,
      statusMessage: outcome.statusMessage ?? null,
      providerMessageId: outcome.providerMessageId ?? null,
      nextAttemptMs: retry ? now + messageRetryDelayMs(message.attempt) : null,
    });
    if (retry) continue;
    const journeyMetric = journeyOutcomeMetric(message, outcome);
    if (journeyMetric) journeyMetrics.push(journeyMetric);
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
  await updateMessages(db, updates, now);
  await addMetrics(db, journeyMetrics, now);
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

/**
 * A journey's message activity counts its messages' final outcomes: SUCCESS, or the failure's
 * DeliveryStatus (PERMANENT_FAILURE, THROTTLED...), in the run and activity that sent it.
 */
function journeyOutcomeMetric(message: TakenMessage, outcome: DeliveryOutcome): MetricIncrement | undefined {
  const { journeyId, journeyActivityId, journeyRunId } = message.origin;
  if (!journeyId || outcome.status === "DUPLICATE") return undefined;
  return {
    appId: message.appId,
    journeyId,
    runId: journeyRunId ?? "",
    activityId: journeyActivityId ?? "",
    metric: outcome.status === "SUCCESSFUL" ? "SUCCESS" : outcome.status,
    by: 1,
  };
}
