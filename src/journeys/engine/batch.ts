/**
 * One batch of the engine: what it read for the participants it claimed (their journeys,
 * endpoints and trigger events, each read once for the whole batch) and what it will write when it
 * commits (messages, metric counters, system events). All of it goes through the batch's one
 * transaction, so a batch happens as a whole or not at all.
 */
import type { Kysely, Selectable } from "kysely";
import { type Endpoint, fromRow } from "../../endpoints/index.js";
import { groupBy } from "../../group-by.js";
import type { QueuedMessage } from "../../messages/outbox/enqueue.js";
import type { SystemEvent } from "../../messages/system-events.js";
import type { Services } from "../../services.js";
import { type Database, fromJson } from "../../store/index.js";
import type { EndpointsTable } from "../../store/schema.js";
import type { MetricIncrement } from "../metrics-store.js";
import { type Journey, type Participant, type TriggerEvent, toJourney } from "../model.js";
import type { MessagePlan } from "./message-plan.js";
import type { MetricSink, Moving } from "./moving.js";

/** A message the batch queues, and the participant it is for. */
export interface QueuedSend {
  message: QueuedMessage;
  participant: Moving;
}

/** The endpoint columns entry checks read. */
export interface EndpointState {
  address: string | null;
  status: string;
  optOut: string;
}

/** Both databases take this many bound values in one statement with room to spare. */
const idsPerQuery = 5000;

export class Batch implements MetricSink {
  readonly metrics: MetricIncrement[] = [];
  readonly queued: QueuedSend[] = [];
  readonly events: SystemEvent[] = [];
  /** Message activities' plans (template and configuration), by app, journey and activity. */
  readonly messagePlans = new Map<string, Promise<MessagePlan>>();
  /**
   * The services with the store's db replaced by the batch's transaction, for code that reads
   * through `services` (templates, segments). SQLite has a single connection: a read through
   * services.store.db from inside the transaction would wait for the transaction to end.
   */
  readonly inTransaction: Services;
  private readonly endpointRows = new Map<string, Selectable<EndpointsTable> | undefined>();
  private readonly endpoints = new Map<string, Endpoint>();

  private constructor(
    readonly services: Services,
    readonly trx: Kysely<Database>,
    readonly now: number,
    readonly journeys: Map<string, Journey>,
    private readonly broadcastEvents: Map<string, TriggerEvent>,
  ) {
    this.inTransaction = { ...services, store: { ...services.store, db: trx } };
  }

  /**
   * Reads the journeys and broadcast events of the claimed participants.
   * @example const batch = await Batch.open(services, trx, clock.now(), claimed);
   */
  static async open(services: Services, trx: Kysely<Database>, now: number, claimed: Participant[]): Promise<Batch> {
    const journeys = new Map<string, Journey>();
    for (const [appId, participants] of groupBy(claimed, (p) => p.appId)) {
      const ids = [...new Set(participants.map((p) => p.journeyId))];
      const rows = await trx
        .selectFrom("journeys")
        .selectAll()
        .where("app_id", "=", appId)
        .where("id", "in", ids)
        .execute();
      for (const row of rows) journeys.set(journeyKey(appId, row.id), toJourney(row));
    }
    const broadcastEvents = new Map<string, TriggerEvent>();
    const broadcastEntrants = claimed.filter((p) => p.broadcastId !== undefined);
    for (const [appId, participants] of groupBy(broadcastEntrants, (p) => p.appId)) {
      const ids = [...new Set(participants.map((p) => p.broadcastId as string))];
      const rows = await trx
        .selectFrom("broadcasts")
        .select(["id", "event"])
        .where("app_id", "=", appId)
        .where("id", "in", ids)
        .execute();
      for (const row of rows) broadcastEvents.set(journeyKey(appId, row.id), fromJson<TriggerEvent>(row.event));
    }
    return new Batch(services, trx, now, journeys, broadcastEvents);
  }

  journeyOf(participant: Participant): Journey | undefined {
    return this.journeys.get(journeyKey(participant.appId, participant.journeyId));
  }

  /** The event the participant entered with: its own (PutEvents), or its broadcast's. */
  eventOf(participant: Participant): TriggerEvent | undefined {
    if (participant.triggerEvent) return participant.triggerEvent;
    if (participant.broadcastId === undefined) return undefined;
    return this.broadcastEvents.get(journeyKey(participant.appId, participant.broadcastId));
  }

  /** Reads the endpoints of these participants that this batch has not read yet, one query per app. */
  async loadEndpoints(participants: Moving[]): Promise<void> {
    const missing = participants.filter((m) => !this.endpointRows.has(endpointKey(m.participant)));
    for (const [appId, group] of groupBy(missing, (m) => m.participant.appId)) {
      const ids = [...new Set(group.map((m) => m.participant.endpointId))];
      for (let i = 0; i < ids.length; i += idsPerQuery) {
        const slice = ids.slice(i, i + idsPerQuery);
        const rows = await this.trx
          .selectFrom("endpoints")
          .selectAll()
          .where("app_id", "=", appId)
          .where("id", "in", slice)
          .execute();
        for (const id of slice) this.endpointRows.set(`${appId}\u0000${id}`, undefined);
        for (const row of rows) this.endpointRows.set(`${appId}\u0000${row.id}`, row);
      }
    }
  }

  /**
   * What entry checks read of the participant's endpoint (loadEndpoints first), without parsing
   * its documents: most entries are checked and sent on to a Wait without being rendered for.
   */
  endpointStateOf(participant: Participant): EndpointState | undefined {
    const row = this.endpointRows.get(endpointKey(participant));
    return row && { address: row.address, status: row.endpoint_status, optOut: row.opt_out };
  }

  /** The participant's endpoint as this batch read it (loadEndpoints first); undefined when it is gone. */
  endpointOf(participant: Participant): Endpoint | undefined {
    const key = endpointKey(participant);
    let endpoint = this.endpoints.get(key);
    if (!endpoint) {
      const row = this.endpointRows.get(key);
      if (!row) return undefined;
      endpoint = fromRow(row);
      this.endpoints.set(key, endpoint);
    }
    return endpoint;
  }
}

function journeyKey(appId: string, id: string): string {
  return `${appId}\u0000${id}`;
}

function endpointKey(participant: Participant): string {
  return `${participant.appId}\u0000${participant.endpointId}`;
}
