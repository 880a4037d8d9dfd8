/**
 * Reading what the splits of a batch ask about, for all their participants at once: the events
 * recorded for the participants' messages (one indexed lookup per message and event type, by
 * event id `<message id>:<event type>`), and segment membership (one query per segment).
 *
 * A message's events are recorded on the endpoint it went to, which is not the participant's own
 * when it went to the user's endpoint on another channel: each message's endpoint is read from the
 * outbox (one query by message id for the batch), so every row, however old, is read alike.
 */
import type { SegmentDimensions } from "@aws-sdk/client-pinpoint";
import { type Expression, type SqlBool, sql } from "kysely";
import { groupBy } from "../../group-by.js";
import { fromJson } from "../../store/index.js";
import type { DimensionedEvent } from "../conditions/event-dimensions.js";
import { segmentDimensionsOf } from "../conditions/segment-dimensions.js";
import type { Batch } from "./batch.js";
import { type ConditionFacts, conditionsOf } from "./conditions.js";
import type { Moving } from "./moving.js";
import { membersOf } from "./segment-membership.js";

interface MessageLookup {
  appId: string;
  /** The endpoint the message's events are recorded on. */
  endpointId: string;
  messageId: string;
  /** The event types asked about; undefined for every event of the message (an EXCLUSIVE condition). */
  eventTypes: string[] | undefined;
}

interface MembershipLookup {
  appId: string;
  target: { segmentId: string } | { dimensions: SegmentDimensions };
  endpointIds: Set<string>;
}

const pairsPerQuery = 500;
const messagesPerQuery = 5000;
const rangesPerQuery = 200;

/**
 * Everything the conditions of these participants' activities need.
 * @example const facts = await loadConditionFacts(batch, due); chooseBranch(activity, subject, facts);
 */
export async function loadConditionFacts(batch: Batch, participants: Moving[]): Promise<ConditionFacts> {
  const lookups: MessageLookup[] = [];
  const memberships = new Map<object, MembershipLookup>();
  for (const m of participants) {
    const activity = m.activity();
    if (!activity) continue;
    const { appId, endpointId } = m.participant;
    for (const condition of conditionsOf(activity)) {
      const event = condition.EventCondition;
      const messageId = event?.MessageActivity === undefined ? undefined : m.messages[event.MessageActivity];
      if (event && messageId !== undefined) {
        const types = event.Dimensions?.EventType;
        const listed = types && types.DimensionType !== "EXCLUSIVE" ? (types.Values ?? []) : undefined;
        lookups.push({ appId, endpointId, messageId, eventTypes: listed });
      }
      const dimensions = segmentDimensionsOf(condition);
      const segment = condition.SegmentCondition ?? dimensions;
      if (!segment) continue;
      const lookup = memberships.get(segment) ?? {
        appId,
        target: condition.SegmentCondition
          ? { segmentId: condition.SegmentCondition.SegmentId ?? "" }
          : { dimensions: dimensions as SegmentDimensions },
        endpointIds: new Set<string>(),
      };
      lookup.endpointIds.add(endpointId);
      memberships.set(segment, lookup);
    }
  }
  await useMessageEndpoints(batch, lookups);
  const facts: ConditionFacts = { messageEvents: await messageEvents(batch, lookups), members: new Map() };
  for (const [segment, lookup] of memberships) {
    facts.members.set(segment, await membersOf(batch, lookup.appId, lookup.target, [...lookup.endpointIds]));
  }
  return facts;
}

/**
 * Points each lookup at the endpoint its message's events are recorded on: the message's endpoint,
 * or its address when it named none (record-outcomes.ts). A message no longer in the outbox keeps
 * the participant's endpoint.
 */
async function useMessageEndpoints(batch: Batch, lookups: MessageLookup[]): Promise<void> {
  for (const [appId, appLookups] of groupBy(lookups, (lookup) => lookup.appId)) {
    const ids = [...new Set(appLookups.map((lookup) => lookup.messageId))];
    const endpoints = new Map<string, string>();
    for (let i = 0; i < ids.length; i += messagesPerQuery) {
      const rows = await batch.trx
        .selectFrom("messages")
        .select(["id", "endpoint_id", "address"])
        .where("app_id", "=", appId)
        .where("id", "in", ids.slice(i, i + messagesPerQuery))
        .execute();
      for (const row of rows) endpoints.set(row.id, row.endpoint_id ?? row.address);
    }
    for (const lookup of appLookups) lookup.endpointId = endpoints.get(lookup.messageId) ?? lookup.endpointId;
  }
}

/** The events recorded for the messages, by message id. */
async function messageEvents(batch: Batch, lookups: MessageLookup[]): Promise<Map<string, DimensionedEvent[]>> {
  const found = new Map<string, DimensionedEvent[]>();
  const seen = new Set<string>();
  const add = (row: { endpoint_id: string; event_id: string; body: unknown }) => {
    // Two conditions may ask about the same message.
    const key = `${row.endpoint_id}\u0000${row.event_id}`;
    if (seen.has(key)) return;
    seen.add(key);
    const messageId = row.event_id.slice(0, row.event_id.indexOf(":"));
    const body = fromJson<DimensionedEvent>(row.body);
    const events = found.get(messageId) ?? [];
    events.push({ EventType: body.EventType, Attributes: body.Attributes, Metrics: body.Metrics });
    found.set(messageId, events);
  };
  for (const [appId, appLookups] of groupBy(lookups, (lookup) => lookup.appId)) {
    const exact = appLookups.flatMap((lookup) =>
      (lookup.eventTypes ?? []).map((type) => ({
        endpointId: lookup.endpointId,
        eventId: `${lookup.messageId}:${type}`,
      })),
    );
    for (let i = 0; i < exact.length; i += pairsPerQuery) {
      const slice = exact.slice(i, i + pairsPerQuery);
      const wanted = new Set(slice.map((pair) => `${pair.endpointId}\u0000${pair.eventId}`));
      const rows = await batch.trx
        .selectFrom("events")
        .select(["endpoint_id", "event_id", "body"])
        .where("app_id", "=", appId)
        .where("endpoint_id", "in", [...new Set(slice.map((pair) => pair.endpointId))])
        .where(
          "event_id",
          "in",
          slice.map((pair) => pair.eventId),
        )
        .execute();
      for (const row of rows) if (wanted.has(`${row.endpoint_id}\u0000${row.event_id}`)) add(row);
    }
    // Every event of a message: its ids run from "<message id>:" up to (not including) "<message id>;".
    const whole = appLookups.filter((lookup) => lookup.eventTypes === undefined);
    for (let i = 0; i < whole.length; i += rangesPerQuery) {
      const slice = whole.slice(i, i + rangesPerQuery);
      const rows = await batch.trx
        .selectFrom("events")
        .select(["endpoint_id", "event_id", "body"])
        .where("app_id", "=", appId)
        .where(({ or }) =>
          or(
            slice.map(
              (lookup): Expression<SqlBool> =>
                sql<SqlBool>`(endpoint_id = ${lookup.endpointId} and event_id >= ${`${lookup.messageId}:`} and event_id < ${`${lookup.messageId};`})`,
            ),
          ),
        )
        .execute();
      for (const row of rows) add(row);
    }
  }
  return found;
}
