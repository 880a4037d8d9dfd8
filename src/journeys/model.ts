/**
 * A journey as Waymark keeps it: Pinpoint's journey definition (WriteJourneyRequest) plus its
 * state, and the participant rows the engine moves through its activities. See docs/journeys.md.
 */
import type { Activity, WriteJourneyRequest } from "@aws-sdk/client-pinpoint";
import type { Selectable } from "kysely";
import { fromJson } from "../store/index.js";
import type { JourneyParticipantsTable, JourneysTable } from "../store/schema.js";
import { withWireSpelling } from "./conditions/segment-dimensions.js";

export type JourneyState = "DRAFT" | "ACTIVE" | "PAUSED" | "COMPLETED" | "CANCELLED" | "CLOSED";

/**
 * How endpoints enter: SEGMENT (SegmentStartCondition: everyone in the segment, once or at each
 * refresh), EVENT (EventStartCondition: an endpoint's own event, PutEvents), BROADCAST (an
 * EventStartCondition whose EventFilter.FilterType is BROADCAST: one company-wide event enters every
 * endpoint of its SegmentId, see docs/broadcasts.md).
 */
export type JourneyTrigger = "SEGMENT" | "EVENT" | "BROADCAST";

/** The definition as stored: the request without State (kept in its own column) and the dates. */
export type JourneyDefinition = Omit<WriteJourneyRequest, "State" | "CreationDate" | "LastModifiedDate">;

export interface Journey {
  appId: string;
  id: string;
  name: string;
  state: JourneyState;
  trigger: JourneyTrigger;
  definition: JourneyDefinition;
  /** Bumped by every UpdateJourney; cached definitions are keyed by it. */
  version: number;
  creationDate: string;
  lastModifiedDate: string;
  tags: Record<string, string>;
  activatedMs?: number;
}

/** The event an entry came with, as templates ({{Event.Attributes.X}}) and conditions see it. */
export interface TriggerEvent {
  EventType: string;
  Attributes?: Record<string, string>;
  Metrics?: Record<string, number>;
}

/** ENTERING: entry not yet checked (the engine checks caps, opt-outs, re-entry, then starts it). */
export type ParticipantStatus = "ENTERING" | "ACTIVE" | "LEFT" | "CANCELLED" | "REJECTED";

export interface Participant {
  id: number;
  appId: string;
  journeyId: string;
  runId: string;
  endpointId: string;
  entryKey: string;
  status: ParticipantStatus;
  /** The activity it is at; "" while ENTERING. */
  activityId: string;
  step: number;
  wakeMs: number | null;
  enteredMs: number;
  activityEnteredMs: number;
  broadcastId?: string;
  triggerEvent?: TriggerEvent;
  /** Activity id → id of the message that activity sent this participant. */
  messages: Record<string, string>;
  sentTotal: number;
  sentDayStartMs: number;
  sentToday: number;
}

/** The kinds of activity, as Pinpoint names them in activity metrics (ActivityType). */
export type ActivityType =
  | "MESSAGE"
  | "WAIT"
  | "CONDITIONAL_SPLIT"
  | "MULTI_CONDITIONAL_SPLIT"
  | "RANDOM_SPLIT"
  | "HOLDOUT"
  | "CONTACT_CENTER"
  | "CUSTOM";

/** Pinpoint's quotas for a journey. */
export const journeyLimits = {
  activities: 40,
  /** EndpointReentryCap, DailyCap, TotalCap and TimeframeCap.Cap top out at 100. */
  cap: 100,
  multiConditionBranches: 4,
  randomSplitBranches: 5,
} as const;

/** The message activity of an Activity, if it is one: which channel it sends on. */
export function messageChannel(activity: Activity): "EMAIL" | "SMS" | "PUSH" | "CUSTOM" | undefined {
  if (activity.EMAIL) return "EMAIL";
  if (activity.SMS) return "SMS";
  if (activity.PUSH) return "PUSH";
  if (activity.CUSTOM) return "CUSTOM";
  return undefined;
}

export function activityType(activity: Activity): ActivityType {
  if (activity.EMAIL || activity.SMS || activity.PUSH) return "MESSAGE";
  if (activity.CUSTOM) return "CUSTOM";
  if (activity.Wait) return "WAIT";
  if (activity.ConditionalSplit) return "CONDITIONAL_SPLIT";
  if (activity.MultiCondition) return "MULTI_CONDITIONAL_SPLIT";
  if (activity.RandomSplit) return "RANDOM_SPLIT";
  if (activity.Holdout) return "HOLDOUT";
  return "CONTACT_CENTER";
}

/** The trigger a definition's StartCondition describes. */
export function journeyTrigger(definition: JourneyDefinition): JourneyTrigger {
  const event = definition.StartCondition?.EventStartCondition;
  if (!event) return "SEGMENT";
  return (event.EventFilter?.FilterType as string | undefined) === "BROADCAST" ? "BROADCAST" : "EVENT";
}

export function toJourney(row: Selectable<JourneysTable>): Journey {
  return {
    appId: row.app_id,
    id: row.id,
    name: row.name,
    state: row.state as JourneyState,
    trigger: row.trigger as JourneyTrigger,
    // Rows saved before definitions were respelt on the way in may hold the SDK's spelling.
    definition: withWireSpelling(fromJson<JourneyDefinition>(row.definition)),
    version: row.version,
    creationDate: row.creation_date,
    lastModifiedDate: row.last_modified_date,
    tags: fromJson<Record<string, string>>(row.tags),
    activatedMs: row.activated_ms ?? undefined,
  };
}

export function toParticipant(row: Selectable<JourneyParticipantsTable>): Participant {
  return {
    id: row.id,
    appId: row.app_id,
    journeyId: row.journey_id,
    runId: row.run_id,
    endpointId: row.endpoint_id,
    entryKey: row.entry_key,
    status: row.status as ParticipantStatus,
    activityId: row.activity_id,
    step: row.step,
    wakeMs: row.wake_ms,
    enteredMs: row.entered_ms,
    activityEnteredMs: row.activity_entered_ms,
    broadcastId: row.broadcast_id ?? undefined,
    triggerEvent: row.trigger_event === null ? undefined : fromJson<TriggerEvent>(row.trigger_event),
    messages: fromJson<Record<string, string>>(row.messages),
    sentTotal: row.sent_total,
    sentDayStartMs: row.sent_day_start_ms,
    sentToday: row.sent_today,
  };
}
