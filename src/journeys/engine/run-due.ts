/**
 * One batch of the journey engine: claim the participants that are due, check the entries among
 * them, move everyone until they wait or leave, and write all of it (participant rows, queued
 * messages, metric counters, system events) in the transaction that claimed them. A batch that
 * dies half way leaves no trace, and its participants are due again; a message's send key
 * (`journey:<participant>:<step>`) keeps a batch that is run twice from sending twice.
 */
import type { Kysely } from "kysely";
import { enqueueMessages } from "../../messages/outbox/enqueue.js";
import { recordSystemEvents } from "../../messages/system-events.js";
import type { Services } from "../../services.js";
import type { Database } from "../../store/index.js";
import { signingKey } from "../../track/signing.js";
import { addMetrics } from "../metrics-store.js";
import type { Journey } from "../model.js";
import { advance } from "./advance.js";
import { Batch } from "./batch.js";
import { claimDueParticipants } from "./claim.js";
import { admitEntrants } from "./entry.js";
import { Moving } from "./moving.js";
import { writeParticipants } from "./write-participants.js";

/**
 * Participants per batch. Larger batches share their reads (journeys, templates, endpoints) and
 * write in fewer statements, but the transaction holds SQLite's one connection meanwhile: a batch
 * of 1,000 entrants rendered and sent an email takes about 120 ms, of 1,000 woken from a Wait
 * about 15 ms. Batches of 2,000 woke participants a sixth faster; 1,000 keeps what an API request
 * may wait behind a batch short.
 */
export const defaultBatchSize = 1000;

/** After a journey's Schedule.EndTime its participants stay put until the scheduler closes it. */
const afterEndRecheckMs = 60_000;

/**
 * Runs one batch; answers how many participants it claimed (a full batch means there may be more).
 * @example while ((await runDueParticipants(services)) === defaultBatchSize) {}
 */
export async function runDueParticipants(services: Services, options: { limit?: number } = {}): Promise<number> {
  const limit = options.limit ?? defaultBatchSize;
  // Read (or created) now, outside the transaction: on SQLite a read through services.store.db
  // from inside it would wait for it to end.
  await signingKey(services);
  const now = services.clock.now();
  const { claimed, queued, streamed } = await services.store.db
    .transaction()
    .execute((trx) => runBatch(services, trx, now, limit));
  if (queued > 0) services.delivery.wake();
  if (streamed > 0) services.wake.stream();
  return claimed;
}

async function runBatch(services: Services, trx: Kysely<Database>, now: number, limit: number) {
  const claimed = await claimDueParticipants(trx, services.store.dialect, now, limit);
  if (claimed.length === 0) return { claimed: 0, queued: 0, streamed: 0 };
  const batch = await Batch.open(services, trx, now, claimed);
  const all: Moving[] = [];
  const entering: Moving[] = [];
  const woken: Moving[] = [];
  for (const participant of claimed) {
    const journey = batch.journeyOf(participant);
    if (!journey) continue;
    const m = new Moving(participant, journey, batch.eventOf(participant));
    all.push(m);
    const heldUntil = scheduleHold(journey, now);
    if (heldUntil !== undefined) m.waitUntil(heldUntil);
    else if (participant.status === "ENTERING") entering.push(m);
    else woken.push(m);
  }
  // Those already in first: one that leaves now makes room for its endpoint's new entry.
  await advance(batch, woken);
  await advance(batch, await admitEntrants(batch, entering, woken));

  const inserted = await enqueueMessages(
    trx,
    batch.queued.map((q) => q.message),
  );
  await keepEarlierMessages(batch, inserted);
  await writeParticipants(trx, services.store.dialect, all);
  await addMetrics(trx, batch.metrics, now);
  const streamed = await recordSystemEvents(trx, services, batch.events);
  return { claimed: claimed.length, queued: inserted.size, streamed };
}

/**
 * Journey.Schedule: before StartTime nobody moves (they wait for it); after EndTime nobody moves
 * either, and the scheduler closes the journey. Undefined when the journey may run now.
 */
function scheduleHold(journey: Journey, now: number): number | undefined {
  const schedule = journey.definition.Schedule;
  const start = instant(schedule?.StartTime);
  if (start !== undefined && start > now) return start;
  const end = instant(schedule?.EndTime);
  if (end !== undefined && end <= now) return now + afterEndRecheckMs;
  return undefined;
}

/** A Schedule time as stored: an ISO-8601 string (or epoch seconds, as some SDKs send them). */
function instant(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return value * 1000;
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/**
 * A send key already in the outbox means this step's message was queued before (by a batch whose
 * participant rows were then lost): the participant keeps that message, not the one just refused.
 */
async function keepEarlierMessages(batch: Batch, inserted: Set<string>): Promise<void> {
  const refused = batch.queued.filter((q) => !inserted.has(q.message.id));
  for (let i = 0; i < refused.length; i += 1000) {
    const slice = refused.slice(i, i + 1000);
    const rows = await batch.trx
      .selectFrom("messages")
      .select(["id", "send_key"])
      .where(
        "send_key",
        "in",
        slice.map((q) => q.message.sendKey),
      )
      .execute();
    const existing = new Map(rows.map((row) => [row.send_key, row.id]));
    for (const { message, participant } of slice) {
      const id = existing.get(message.sendKey);
      const activityId = message.origin.journeyActivityId;
      if (id && activityId) participant.messages = { ...participant.messages, [activityId]: id };
    }
  }
}
