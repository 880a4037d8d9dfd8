/**
 * ConditionalSplit and MultiCondition: a participant waits out the EvaluationWaitTime from its
 * arrival (time for the email to be opened), then goes down the first branch whose condition
 * holds. ConditionalSplit counts Branch_1 for its TrueActivity and Branch_2 for its FalseActivity;
 * MultiCondition counts Branch_1..Branch_k for its branches in order and Branch_{k+1} for the
 * DefaultActivity.
 */
import type { Activity } from "@aws-sdk/client-pinpoint";
import type { Batch } from "./batch.js";
import { loadConditionFacts } from "./condition-facts.js";
import { type ConditionFacts, type ConditionSubject, conditionHolds, simpleConditionHolds } from "./conditions.js";
import type { Moving } from "./moving.js";
import { waitEndMs } from "./wait.js";

/** The branch a participant takes: its metric's number (from 1) and where it leads. */
export interface Branch {
  number: number;
  next: string | undefined;
}

/**
 * The branch of a split activity the participant takes, given the facts. Pure.
 * @example chooseBranch(activity, { endpointId, messages }, facts) // { number: 2, next: "send-sms" }
 */
export function chooseBranch(activity: Activity, subject: ConditionSubject, facts: ConditionFacts): Branch {
  if (activity.ConditionalSplit) {
    const split = activity.ConditionalSplit;
    return conditionHolds(split.Condition, subject, facts)
      ? { number: 1, next: split.TrueActivity }
      : { number: 2, next: split.FalseActivity };
  }
  const branches = activity.MultiCondition?.Branches ?? [];
  for (const [index, branch] of branches.entries()) {
    if (branch.Condition && simpleConditionHolds(branch.Condition, subject, facts)) {
      return { number: index + 1, next: branch.NextActivity };
    }
  }
  return { number: branches.length + 1, next: activity.MultiCondition?.DefaultActivity };
}

/**
 * Participants at a split: those still within its evaluation wait sleep until it ends; the rest
 * branch (answered: those that arrived at their branch's activity).
 * @example const arrived = await attendConditionalSplits(batch, atSplits);
 */
export async function attendConditionalSplits(batch: Batch, participants: Moving[]): Promise<Moving[]> {
  const due: Moving[] = [];
  for (const m of participants) {
    const activity = m.activity();
    const evaluation = activity?.ConditionalSplit?.EvaluationWaitTime ?? activity?.MultiCondition?.EvaluationWaitTime;
    const atMs = waitEndMs(evaluation, m.activityEnteredMs);
    if (atMs > batch.now) m.waitUntil(atMs);
    else due.push(m);
  }
  if (due.length === 0) return [];
  const facts = await loadConditionFacts(batch, due);
  const arrived: Moving[] = [];
  for (const m of due) {
    const activity = m.activity() as Activity;
    const branch = chooseBranch(activity, { endpointId: m.participant.endpointId, messages: m.messages }, facts);
    m.count(batch, m.activityId, `Branch_${branch.number}`);
    if (m.moveOn(batch, branch.next)) arrived.push(m);
  }
  return arrived;
}
