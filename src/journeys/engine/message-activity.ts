/**
 * Message activities (EMAIL, SMS, PUSH, CUSTOM) for a batch of participants. Each participant is
 * either sent the activity's message (queued in the batch's transaction, with the send key
 * `journey:<participant>:<step>`, so it is sent once however often the batch runs) or skipped
 * with the metric that says why: ENDPOINT_CHANNEL_MISMATCH, OPT_OUT, DAILY_CAP, TOTAL_CAP,
 * TIMEFRAME_CAP, QUIET_TIME, ERROR (nothing to send: a missing template, a failed render). Either
 * way it goes on to the NextActivity, except when it must wait: for the end of quiet time (with
 * WaitForQuietTime) or for its turn under Limits.MessagesPerSecond. A waiting participant stays at
 * the activity and is attended again when it wakes; its send key is unchanged.
 *
 * A participant whose endpoint is on another channel than the activity's is sent the message on
 * its user's endpoint on that channel (user-endpoints.ts): that endpoint's address, opt-out and
 * timezone apply, and the caps count it among what the participant was sent.
 */
import type { Activity } from "@aws-sdk/client-pinpoint";
import type { Endpoint } from "../../endpoints/index.js";
import { groupBy } from "../../group-by.js";
import { newMessageId } from "../../messages/message-id.js";
import type { DeliveryChannel } from "../../messages/model.js";
import { optedOutAddresses } from "../../messages/opt-outs.js";
import { drawTokens } from "../../messages/rate-limit.js";
import { instrumentEmail } from "../../track/instrument.js";
import type { Journey } from "../model.js";
import { messageChannel } from "../model.js";
import { endpointTimezone, nextSendableMs } from "../time/sending-window.js";
import type { Batch } from "./batch.js";
import { composeFor, deliveryChannel, type MessagePlan, planMessageActivity } from "./message-plan.js";
import type { Moving } from "./moving.js";
import { capReached, sendingDay, timeframeMs } from "./sending-limits.js";
import { userEndpoints } from "./user-endpoints.js";

/**
 * A participant cleared to be sent its message, and on what: its own endpoint, or its user's on
 * the activity's channel (user-endpoints.ts).
 */
interface Sendable {
  participant: Moving;
  endpoint: Endpoint;
  channel: DeliveryChannel;
}

/** Message attempts a participant makes before the outbox gives up (throttling, temporary failures). */
const maxAttempts = 3;

/** Plans are read once per batch: every participant at an activity gets the same template. */
function planFor(batch: Batch, journey: Journey, activityId: string, activity: Activity): Promise<MessagePlan> {
  const key = `${journey.appId}\u0000${journey.id}\u0000${activityId}`;
  let plan = batch.messagePlans.get(key);
  if (!plan) {
    plan = planMessageActivity(batch.inTransaction, journey.appId, activity);
    batch.messagePlans.set(key, plan);
  }
  return plan;
}

/**
 * Attends participants at message activities; answers those that went on (at their next activity).
 * @example const arrived = await attendMessages(batch, atMessageActivities);
 */
export async function attendMessages(batch: Batch, participants: Moving[]): Promise<Moving[]> {
  await batch.loadEndpoints(participants);
  const arrived: Moving[] = [];
  const goOn = (m: Moving) => {
    if (m.moveOn(batch, m.activity()?.[channelKey(m)]?.NextActivity)) arrived.push(m);
  };
  const skip = (m: Moving, metric: string) => {
    m.count(batch, m.activityId, metric);
    goOn(m);
  };

  const reachable: Sendable[] = [];
  const elsewhere: Moving[] = [];
  for (const m of participants) {
    const endpoint = batch.endpointOf(m.participant);
    const channel = deliveryChannel(m.activity() as Activity, endpoint?.ChannelType);
    if (!endpoint?.Address) skip(m, "ENDPOINT_MISSING_ADDRESS");
    else if (!channel) elsewhere.push(m);
    else if (endpoint.OptOut === "ALL") skip(m, "OPT_OUT");
    else if (endpoint.EndpointStatus === "INACTIVE") skip(m, "ENDPOINT_INACTIVE");
    else reachable.push({ participant: m, endpoint, channel });
  }
  const instead = await userEndpoints(batch, elsewhere);
  for (const m of elsewhere) {
    const other = instead.get(m.id);
    if (!other) skip(m, "ENDPOINT_CHANNEL_MISMATCH");
    else if (other.endpoint.OptOut === "ALL") skip(m, "OPT_OUT");
    else reachable.push({ participant: m, ...other });
  }

  const refused = await addressOptOuts(batch, reachable);
  const timeframes = await timeframeSends(batch, reachable);
  const cleared: Sendable[] = [];
  for (const sendable of reachable) {
    const m = sendable.participant;
    const definition = m.journey.definition;
    if (refused.has(optOutKey(sendable))) {
      skip(m, "OPT_OUT");
      continue;
    }
    const cap = capReached(definition.Limits, m, (timeframes.get(m.id) ?? 0) + m.sentTotal, batch.now);
    if (cap) {
      skip(m, cap);
      continue;
    }
    const family = messageChannel(m.activity() as Activity) ?? "CUSTOM";
    const sendableAt = nextSendableMs(definition, family, endpointTimezone(sendable.endpoint), batch.now);
    if (sendableAt > batch.now) {
      // Rules that never open again (all days closed) skip rather than park the participant for ever.
      if (definition.WaitForQuietTime && Number.isFinite(sendableAt)) m.waitUntil(sendableAt);
      else skip(m, "QUIET_TIME");
      continue;
    }
    cleared.push(sendable);
  }

  for (const sendable of await withinRate(batch, cleared)) {
    const m = sendable.participant;
    const activity = m.activity() as Activity;
    const plan = await planFor(batch, m.journey, m.activityId, activity);
    if ("error" in plan) {
      skip(m, "ERROR");
      continue;
    }
    const composed = composeFor(plan, activity, sendable.channel, sendable.endpoint, m.event);
    if ("error" in composed) {
      skip(m, "ERROR");
      continue;
    }
    const { appId, journeyId, runId } = m.participant;
    const endpointId = sendable.endpoint.Id;
    const { content } = composed;
    const message = await instrumentEmail(batch.services, {
      id: newMessageId(),
      sendKey: sendKeyFor(m, endpointId),
      appId,
      channel: sendable.channel,
      address: sendable.endpoint.Address ?? endpointId,
      endpointId,
      content,
      origin: { journeyId, journeyActivityId: m.activityId, journeyRunId: runId },
      context: {},
      sender:
        content.kind === "email"
          ? content.fromAddress
          : (content.kind === "sms" && content.originationNumber) || sendable.channel,
      maxAttempts,
    });
    batch.queued.push({ message, participant: m });
    const day = sendingDay(m, batch.now);
    m.sent(message.id, day.dayStartMs, day.sentToday + 1);
    goOn(m);
  }
  return arrived;
}

/** The key of the activity's message part: EMAIL, SMS, PUSH or CUSTOM. */
function channelKey(m: Moving): "EMAIL" | "SMS" | "PUSH" | "CUSTOM" {
  return messageChannel(m.activity() as Activity) ?? "CUSTOM";
}

function optOutKey(sendable: Sendable): string {
  return `${sendable.participant.participant.appId}\u0000${sendable.channel}\u0000${sendable.endpoint.Address}`;
}

/** Addresses that opted out by themselves (an unsubscribe link, STOP), one query per app and channel. */
async function addressOptOuts(batch: Batch, sendables: Sendable[]): Promise<Set<string>> {
  const refused = new Set<string>();
  for (const group of groupBy(sendables, (s) => `${s.participant.participant.appId}\u0000${s.channel}`).values()) {
    const { appId } = group[0].participant.participant;
    const addresses = group.map((s) => s.endpoint.Address as string);
    for (const address of await optedOutAddresses(batch.trx, appId, group[0].channel, addresses)) {
      refused.add(`${appId}\u0000${group[0].channel}\u0000${address}`);
    }
  }
  return refused;
}

/**
 * For journeys with a TimeframeCap: the messages each participant's endpoint got from the
 * journey's other entries active within the timeframe (their rows' counters: Waymark keeps no
 * per-message history per endpoint), by participant id.
 */
async function timeframeSends(batch: Batch, sendables: Sendable[]): Promise<Map<number, number>> {
  const sent = new Map<number, number>();
  for (const group of groupBy(sendables, (s) => s.participant.journey).values()) {
    const journey = group[0].participant.journey;
    const windowMs = timeframeMs(journey.definition.Limits);
    if (windowMs === undefined) continue;
    const rows = await batch.trx
      .selectFrom("journey_participants")
      .select(["id", "endpoint_id", "sent_total"])
      .where("journey_id", "=", journey.id)
      .where("app_id", "=", journey.appId)
      .where("endpoint_id", "in", [...new Set(group.map((s) => s.participant.participant.endpointId))])
      .where("activity_entered_ms", ">=", batch.now - windowMs)
      .where("sent_total", ">", 0)
      .execute();
    const byEndpoint = groupBy(rows, (row) => row.endpoint_id);
    for (const s of group) {
      const { id, endpointId } = s.participant.participant;
      const others = (byEndpoint.get(endpointId) ?? []).filter((row) => row.id !== id);
      sent.set(
        id,
        others.reduce((sum, row) => sum + row.sent_total, 0),
      );
    }
  }
  return sent;
}

/**
 * Limits.MessagesPerSecond: each journey draws from its own token bucket (`journey:<id>`), shared
 * by every process through the database; participants beyond the tokens wait at the activity,
 * spaced at the journey's rate, and are attended again when their turn comes.
 */
async function withinRate(batch: Batch, sendables: Sendable[]): Promise<Sendable[]> {
  const allowed: Sendable[] = [];
  for (const group of groupBy(sendables, (s) => s.participant.journey).values()) {
    const journey = group[0].participant.journey;
    const perSecond = journey.definition.Limits?.MessagesPerSecond;
    if (!perSecond || perSecond <= 0) {
      allowed.push(...group);
      continue;
    }
    const bucket = `journey:${journey.appId}:${journey.id}`;
    const granted = await drawTokens(
      batch.trx,
      batch.services.store.dialect,
      bucket,
      group.length,
      perSecond,
      batch.now,
    );
    allowed.push(...group.slice(0, granted));
    for (const [i, held] of group.slice(granted).entries()) {
      held.participant.waitUntil(batch.now + Math.ceil((1000 * (i + 1)) / perSecond));
    }
  }
  return allowed;
}

/**
 * The send key of a participant's message to `endpointId`. A message that goes to the participant's
 * user's endpoint rather than its own is keyed by that endpoint within the run when the run entered
 * a whole segment at once (a segment run, a broadcast): a person with two endpoints in the journey,
 * neither on this activity's channel (an email and a push endpoint at an SMS activity), is sent one
 * message, not one per endpoint; the second participant keeps the first one's message for its splits.
 */
function sendKeyFor(m: Moving, endpointId: string): string {
  const { participant } = m;
  const wholeSegment = participant.entryKey.startsWith("run:") || participant.entryKey.startsWith("broadcast:");
  if (endpointId === participant.endpointId || !wholeSegment) return m.sendKey();
  return `journey:${participant.journeyId}:${participant.runId}:${m.activityId}:to:${endpointId}`;
}
