/**
 * Checking an entry (an ENTERING participant) before it starts the journey, with Pinpoint's
 * execution metrics for each reason it may not: the endpoint is gone or has no address
 * (ENDPOINT_MISSING_ADDRESS), is INACTIVE (ENDPOINT_INACTIVE) or opted out of everything
 * (ENDPOINT_OPT_OUT), an event journey's SegmentId does not hold it (FILTERED_OUT_BY_SEGMENT), it is
 * in the journey already (ACTIVE_ENDPOINT_REJECTED), or its entries are used up
 * (REENTRY_CAP_EXCEEDED: EndpointReentryCap, or too soon after the last one for
 * EndpointReentryInterval). Every entry considered counts ENDPOINT_PRODUCED; each one let in
 * counts ENDPOINT_ENTERED and arrives at the StartActivity.
 */
import { groupBy } from "../../group-by.js";
import type { Journey } from "../model.js";
import { addDuration } from "../time/duration.js";
import type { Batch } from "./batch.js";
import type { Moving } from "./moving.js";
import { membersOf } from "./segment-membership.js";

/** Pinpoint: without EndpointReentryCap an endpoint enters once; 0 means no limit. */
const defaultReentryCap = 1;

/** What is known of an endpoint's earlier entries into one journey. */
interface EntryHistory {
  entries: number;
  lastEnteredMs: number | undefined;
  active: boolean;
}

/**
 * Checks the entries, in the order they came; answers those let in, now at their StartActivity.
 * `moved` are the batch's other participants, already moved: one that left in this batch is no
 * longer in the journey, though its row does not say so yet.
 * @example const started = await admitEntrants(batch, entering, woken);
 */
export async function admitEntrants(batch: Batch, entering: Moving[], moved: Moving[]): Promise<Moving[]> {
  const started: Moving[] = [];
  await batch.loadEndpoints(entering);
  for (const participants of groupBy(entering, (m) => m.journey).values()) {
    const journey = participants[0].journey;
    const reachable: Moving[] = [];
    for (const m of participants) {
      m.count(batch, "", "ENDPOINT_PRODUCED");
      const endpoint = batch.endpointStateOf(m.participant);
      if (!endpoint?.address) m.reject(batch, "ENDPOINT_MISSING_ADDRESS");
      else if (endpoint.status === "INACTIVE") m.reject(batch, "ENDPOINT_INACTIVE");
      else if (endpoint.optOut === "ALL") m.reject(batch, "ENDPOINT_OPT_OUT");
      else reachable.push(m);
    }
    const inSegment = await segmentFilter(batch, journey, reachable);
    const histories = await entryHistories(batch, journey, inSegment, moved);
    const limits = journey.definition.Limits;
    const cap = limits?.EndpointReentryCap ?? defaultReentryCap;
    for (const m of inSegment) {
      const history = histories.get(m.participant.endpointId) ?? {
        entries: 0,
        lastEnteredMs: undefined,
        active: false,
      };
      if (history.active) {
        m.reject(batch, "ACTIVE_ENDPOINT_REJECTED");
      } else if (cap > 0 && history.entries >= cap) {
        m.reject(batch, "REENTRY_CAP_EXCEEDED");
      } else if (
        limits?.EndpointReentryInterval &&
        history.lastEnteredMs !== undefined &&
        addDuration(history.lastEnteredMs, limits.EndpointReentryInterval) > batch.now
      ) {
        m.reject(batch, "REENTRY_CAP_EXCEEDED");
      } else {
        histories.set(m.participant.endpointId, {
          entries: history.entries + 1,
          lastEnteredMs: m.participant.enteredMs,
          active: true,
        });
        m.count(batch, "", "ENDPOINT_ENTERED");
        if (m.moveOn(batch, journey.definition.StartActivity)) started.push(m);
      }
    }
  }
  return started;
}

/** An event journey's EventStartCondition.SegmentId lets in only that segment's endpoints. */
async function segmentFilter(batch: Batch, journey: Journey, participants: Moving[]): Promise<Moving[]> {
  const segmentId = journey.definition.StartCondition?.EventStartCondition?.SegmentId;
  if (journey.trigger !== "EVENT" || !segmentId || participants.length === 0) return participants;
  const ids = participants.map((m) => m.participant.endpointId);
  const members = await membersOf(batch, journey.appId, { segmentId }, ids);
  const admitted: Moving[] = [];
  for (const m of participants) {
    if (members.has(m.participant.endpointId)) admitted.push(m);
    else m.reject(batch, "FILTERED_OUT_BY_SEGMENT");
  }
  return admitted;
}

/** The earlier entries (those that started: ACTIVE, LEFT or CANCELLED) of these endpoints into the journey. */
async function entryHistories(
  batch: Batch,
  journey: Journey,
  participants: Moving[],
  moved: Moving[],
): Promise<Map<string, EntryHistory>> {
  const statusInBatch = new Map(moved.map((m) => [m.id, m.status]));
  const histories = new Map<string, EntryHistory>();
  const ids = [...new Set(participants.map((m) => m.participant.endpointId))];
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await batch.trx
      .selectFrom("journey_participants")
      .select(["id", "endpoint_id", "status", "entered_ms"])
      .where("journey_id", "=", journey.id)
      .where("app_id", "=", journey.appId)
      .where("endpoint_id", "in", ids.slice(i, i + 5000))
      .where("status", "in", ["ACTIVE", "LEFT", "CANCELLED"])
      .execute();
    for (const row of rows) {
      const history = histories.get(row.endpoint_id) ?? { entries: 0, lastEnteredMs: undefined, active: false };
      history.entries += 1;
      history.lastEnteredMs = Math.max(history.lastEnteredMs ?? row.entered_ms, row.entered_ms);
      history.active ||= (statusInBatch.get(row.id) ?? row.status) === "ACTIVE";
      histories.set(row.endpoint_id, history);
    }
  }
  return histories;
}
