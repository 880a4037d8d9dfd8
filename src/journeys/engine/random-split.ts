/**
 * RandomSplit and Holdout: each participant's share is decided by a hash of its id and the
 * activity, not by Math.random, so a batch that runs again after a crash sends everyone down the
 * same branch it would have taken the first time.
 */
import { createHash } from "node:crypto";
import type { MetricSink, Moving } from "./moving.js";

/**
 * A number in [0, 100) fixed by the participant and the activity, evenly spread over participants.
 * @example participantPercentile(42, "split") < 30 // whether participant 42 is in split's first 30%
 */
export function participantPercentile(participantId: number, activityId: string): number {
  const digest = createHash("sha1").update(`${participantId}:${activityId}`).digest();
  return (digest.readUInt32BE(0) / 0x1_0000_0000) * 100;
}

/**
 * The branch (index) a percentile falls in, given the branches' percentages in order; past the
 * last percentage (they should add up to 100), the last branch.
 * @example randomBranch([{ Percentage: 50 }, { Percentage: 50 }], 73.2) // 1
 */
export function randomBranch(branches: Array<{ Percentage?: number }>, percentile: number): number {
  let upTo = 0;
  for (const [index, branch] of branches.entries()) {
    upTo += branch.Percentage ?? 0;
    if (percentile < upTo) return index;
  }
  return branches.length - 1;
}

/**
 * RandomSplit: each participant goes down one branch, counted as Branch_1, Branch_2...; answers
 * those that arrived at their branch's activity.
 * @example const arrived = attendRandomSplit(batch, atSplit);
 */
export function attendRandomSplit(sink: MetricSink, participants: Moving[]): Moving[] {
  const arrived: Moving[] = [];
  for (const m of participants) {
    const branches = m.activity()?.RandomSplit?.Branches ?? [];
    if (branches.length === 0) {
      m.leave(sink);
      continue;
    }
    const index = randomBranch(branches, participantPercentile(m.id, m.activityId));
    m.count(sink, m.activityId, `Branch_${index + 1}`);
    if (m.moveOn(sink, branches[index].NextActivity)) arrived.push(m);
  }
  return arrived;
}

/**
 * Holdout: Percentage of participants are held out (HOLDOUT) and leave; the rest go on (answered).
 * @example const arrived = attendHoldout(batch, atHoldout);
 */
export function attendHoldout(sink: MetricSink, participants: Moving[]): Moving[] {
  const arrived: Moving[] = [];
  for (const m of participants) {
    const holdout = m.activity()?.Holdout;
    if (participantPercentile(m.id, m.activityId) < (holdout?.Percentage ?? 0)) {
      m.count(sink, m.activityId, "HOLDOUT");
      m.leave(sink);
    } else if (m.moveOn(sink, holdout?.NextActivity)) {
      arrived.push(m);
    }
  }
  return arrived;
}
