/**
 * Evaluating a split's conditions for one participant, from facts read beforehand for the whole
 * batch (condition-facts.ts). Pure.
 *
 * An EventCondition asks about the participant's own message from its MessageActivity: whether
 * one of the events recorded for that message (`_email.open`, `_SMS.SUCCESS`, what a custom
 * function returned...) matches its Dimensions. A participant that got no message from that
 * activity (it was skipped, or the condition names none) does not match.
 */
import type { Activity, Condition, SimpleCondition } from "@aws-sdk/client-pinpoint";
import { type DimensionedEvent, matchesEventDimensions } from "../conditions/event-dimensions.js";
import { segmentDimensionsOf } from "../conditions/segment-dimensions.js";

/** What the conditions of a batch need to know, read in a few queries for every participant at once. */
export interface ConditionFacts {
  /** Events recorded for each message, by message id. */
  messageEvents: Map<string, DimensionedEvent[]>;
  /** Endpoints (ids) that are members, by the SegmentCondition or segment dimensions object asked about. */
  members: Map<object, Set<string>>;
}

/** The participant as conditions see it. */
export interface ConditionSubject {
  endpointId: string;
  /** Activity id → id of the message that activity sent it. */
  messages: Record<string, string>;
}

/**
 * Every simple condition of a split activity, in order: ConditionalSplit's, then MultiCondition's branches.
 * @example conditionsOf(activity).filter((c) => c.SegmentCondition)
 */
export function conditionsOf(activity: Activity): SimpleCondition[] {
  const conditions = [...(activity.ConditionalSplit?.Condition?.Conditions ?? [])];
  for (const branch of activity.MultiCondition?.Branches ?? []) {
    if (branch.Condition) conditions.push(branch.Condition);
  }
  return conditions;
}

/**
 * Whether one simple condition holds for the participant.
 * @example simpleConditionHolds({ SegmentCondition: powerUsers }, subject, facts)
 */
export function simpleConditionHolds(
  condition: SimpleCondition,
  subject: ConditionSubject,
  facts: ConditionFacts,
): boolean {
  if (condition.EventCondition) {
    const { MessageActivity, Dimensions } = condition.EventCondition;
    const messageId = MessageActivity === undefined ? undefined : subject.messages[MessageActivity];
    if (messageId === undefined) return false;
    return (facts.messageEvents.get(messageId) ?? []).some((event) => matchesEventDimensions(Dimensions, event));
  }
  const target = condition.SegmentCondition ?? segmentDimensionsOf(condition);
  if (target) return facts.members.get(target)?.has(subject.endpointId) ?? false;
  return false;
}

/**
 * A ConditionalSplit's Condition: ALL of its conditions (Pinpoint's default) or ANY of them.
 * @example conditionHolds({ Operator: "ANY", Conditions: [opened, clicked] }, subject, facts)
 */
export function conditionHolds(condition: Condition | undefined, subject: ConditionSubject, facts: ConditionFacts) {
  const conditions = condition?.Conditions ?? [];
  if (condition?.Operator === "ANY") return conditions.some((c) => simpleConditionHolds(c, subject, facts));
  return conditions.every((c) => simpleConditionHolds(c, subject, facts));
}
