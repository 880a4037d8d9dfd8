/**
 * Reaching a participant on a message activity's channel when its own endpoint is on another:
 * through its user's (User.UserId) endpoint on that channel, ACTIVE, with an address, the most
 * recent EffectiveDate first. Not when that endpoint is in the journey itself (any entry, or one a
 * segment run still fanning out is about to write): it is sent its own message there, so a person
 * whose segment holds both of their endpoints never gets two copies. Read for the whole batch: one
 * query for the users' endpoints, one for which of them are in the journey.
 */
import type { Activity } from "@aws-sdk/client-pinpoint";
import type { Selectable } from "kysely";
import { type Endpoint, fromRow } from "../../endpoints/index.js";
import { groupBy } from "../../group-by.js";
import type { DeliveryChannel } from "../../messages/model.js";
import type { EndpointsTable } from "../../store/schema.js";
import type { Journey } from "../model.js";
import { fannedOutSegment } from "../triggers/start-condition.js";
import type { Batch } from "./batch.js";
import { channelTypesOf, deliveryChannel } from "./message-plan.js";
import type { Moving } from "./moving.js";
import { membersOf } from "./segment-membership.js";

/** Where a participant's message goes instead of its own endpoint. */
export interface UserEndpoint {
  endpoint: Endpoint;
  channel: DeliveryChannel;
}

/** Both databases take this many bound values in one statement with room to spare. */
const idsPerQuery = 5000;

/**
 * For participants whose endpoint is not on their message activity's channel (loadEndpoints
 * first): the user's endpoint each is to be sent to instead, by participant id. A participant
 * missing from the answer has no such endpoint (ENDPOINT_CHANNEL_MISMATCH).
 * @example const instead = await userEndpoints(batch, mismatched); instead.get(m.id)?.endpoint.Id // "sms-ann"
 */
export async function userEndpoints(batch: Batch, participants: Moving[]): Promise<Map<number, UserEndpoint>> {
  const chosen = new Map<number, Selectable<EndpointsTable>>();
  const withUser = participants.filter((m) => userIdOf(batch, m) !== undefined);
  for (const [appId, group] of groupBy(withUser, (m) => m.participant.appId)) {
    const byUser = await activeEndpointsOfUsers(batch, appId, group);
    for (const m of group) {
      const activity = m.activity() as Activity;
      const candidates = byUser.get(userIdOf(batch, m) as string) ?? [];
      const row = candidates.find((candidate) => deliveryChannel(activity, candidate.channel_type) !== undefined);
      if (row) chosen.set(m.id, row);
    }
  }
  const found = new Map<number, UserEndpoint>();
  for (const group of groupBy(
    withUser.filter((m) => chosen.has(m.id)),
    (m) => m.journey,
  ).values()) {
    const ids = [...new Set(group.map((m) => chosen.get(m.id)?.id as string))];
    const inJourney = await journeyEndpoints(batch, group[0].journey, ids);
    for (const m of group) {
      const row = chosen.get(m.id) as Selectable<EndpointsTable>;
      if (inJourney.has(row.id)) continue;
      const channel = deliveryChannel(m.activity() as Activity, row.channel_type) as DeliveryChannel;
      found.set(m.id, { endpoint: fromRow(row), channel });
    }
  }
  return found;
}

function userIdOf(batch: Batch, m: Moving): string | undefined {
  return batch.endpointOf(m.participant)?.User.UserId;
}

/**
 * The users' ACTIVE endpoints with an address on the channels these participants' activities
 * send on, by user id, the most recent EffectiveDate first. Sorted here rather than in SQL:
 * EffectiveDate is kept as the client wrote it, and ISO 8601 texts with other offsets or
 * precisions do not sort as the instants they name.
 */
async function activeEndpointsOfUsers(
  batch: Batch,
  appId: string,
  participants: Moving[],
): Promise<Map<string, Selectable<EndpointsTable>[]>> {
  const types = [...new Set(participants.flatMap((m) => channelTypesOf(m.activity() as Activity)))];
  const userIds = [...new Set(participants.map((m) => userIdOf(batch, m) as string))];
  const rows: Selectable<EndpointsTable>[] = [];
  if (types.length === 0) return new Map();
  for (let i = 0; i < userIds.length; i += idsPerQuery) {
    rows.push(
      ...(await batch.trx
        .selectFrom("endpoints")
        .selectAll()
        .where("app_id", "=", appId)
        .where("user_id", "in", userIds.slice(i, i + idsPerQuery))
        .where("channel_type", "in", types)
        .where("endpoint_status", "=", "ACTIVE")
        .where("address", "is not", null)
        .execute()),
    );
  }
  const newestFirst = rows
    .map((row) => ({ row, effectiveMs: Date.parse(row.effective_date) || 0 }))
    .sort((a, b) => b.effectiveMs - a.effectiveMs || (a.row.id < b.row.id ? -1 : 1))
    .map(({ row }) => row);
  return groupBy(newestFirst, (row) => row.user_id as string);
}

/**
 * Which of these endpoints are in the journey: entered it at some time, or are in the segment of
 * one of its runs whose fan-out has not finished (their entries are still to be written, and
 * writing them must not send the person a second copy).
 */
async function journeyEndpoints(batch: Batch, journey: Journey, endpointIds: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < endpointIds.length; i += idsPerQuery) {
    const rows = await batch.trx
      .selectFrom("journey_participants")
      .select("endpoint_id")
      .distinct()
      .where("journey_id", "=", journey.id)
      .where("app_id", "=", journey.appId)
      .where("endpoint_id", "in", endpointIds.slice(i, i + idsPerQuery))
      .execute();
    for (const row of rows) found.add(row.endpoint_id);
  }
  const segmentId = fannedOutSegment(journey.definition);
  const rest = endpointIds.filter((id) => !found.has(id));
  if (!segmentId || rest.length === 0) return found;
  const fanningOut = await batch.trx
    .selectFrom("journey_runs")
    .select("segment_version")
    .where("journey_id", "=", journey.id)
    .where("app_id", "=", journey.appId)
    .where("status", "=", "RUNNING")
    .where("fanout_done", "=", 0)
    .execute();
  for (const run of fanningOut) {
    const version = run.segment_version ?? undefined;
    for (const id of await membersOf(batch, journey.appId, { segmentId, version }, rest)) found.add(id);
  }
  return found;
}
