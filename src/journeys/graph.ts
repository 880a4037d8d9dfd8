/**
 * A journey's activities as a graph: which activities each one leads to, which of them hold a
 * participant for a while, and the questions validation asks of it (does a path lead from one
 * activity to another, is there a loop a participant could run round without ever waiting).
 * Pure: it reads the definition and nothing else.
 */
import type { Activity } from "@aws-sdk/client-pinpoint";
import { isDuration, parseDuration } from "./time/duration.js";

/** One way out of an activity: the field that names the next activity, and the activity it names. */
export interface ActivityEdge {
  /** As the definition spells it: NextActivity, TrueActivity, Branches[2].NextActivity, DefaultActivity... */
  field: string;
  target: string;
}

export type ActivityMap = Record<string, Activity>;

/**
 * Every activity this one can lead to, in branch order.
 * @example activityEdges({ ConditionalSplit: { TrueActivity: "a", FalseActivity: "b" } })
 * // [{ field: "TrueActivity", target: "a" }, { field: "FalseActivity", target: "b" }]
 */
export function activityEdges(activity: Activity): ActivityEdge[] {
  const edges: ActivityEdge[] = [];
  const add = (field: string, target: string | undefined) => {
    if (target !== undefined && target !== null) edges.push({ field, target });
  };
  const single =
    activity.EMAIL ?? activity.SMS ?? activity.PUSH ?? activity.CUSTOM ?? activity.Wait ?? activity.Holdout;
  add("NextActivity", single?.NextActivity ?? activity.ContactCenter?.NextActivity);
  add("TrueActivity", activity.ConditionalSplit?.TrueActivity);
  add("FalseActivity", activity.ConditionalSplit?.FalseActivity);
  for (const [i, branch] of (activity.MultiCondition?.Branches ?? []).entries()) {
    add(`Branches[${i}].NextActivity`, branch.NextActivity);
  }
  add("DefaultActivity", activity.MultiCondition?.DefaultActivity);
  for (const [i, branch] of (activity.RandomSplit?.Branches ?? []).entries()) {
    add(`Branches[${i}].NextActivity`, branch.NextActivity);
  }
  return edges;
}

/**
 * Whether the activity holds every participant for a length of time before it moves them on: a
 * Wait for a duration, or a split that waits (EvaluationWaitTime.WaitFor) before it decides.
 * A WaitUntil date does not count: once the date has passed it lets everyone straight through,
 * so a loop round it would spin.
 */
export function holdsForDuration(activity: Activity): boolean {
  const waitFor =
    activity.Wait?.WaitTime?.WaitFor ??
    activity.ConditionalSplit?.EvaluationWaitTime?.WaitFor ??
    activity.MultiCondition?.EvaluationWaitTime?.WaitFor;
  if (!isDuration(waitFor)) return false;
  return Object.values(parseDuration(waitFor)).some((amount) => amount > 0);
}

/**
 * Whether some path of one or more steps leads from `from` to `to`.
 * @example reaches({ a: { Wait: { NextActivity: "b" } }, b: {} }, "a", "b") // true
 */
export function reaches(activities: ActivityMap, from: string, to: string): boolean {
  const seen = new Set<string>();
  const queue = activityEdges(activities[from] ?? {}).map((edge) => edge.target);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (id === to) return true;
    if (seen.has(id) || !activities[id]) continue;
    seen.add(id);
    queue.push(...activityEdges(activities[id]).map((edge) => edge.target));
  }
  return false;
}

/**
 * A loop among the activities that never holds a participant (see holdsForDuration), as the ids
 * in order, the first repeated at the end; undefined when there is none. Such a loop would move a
 * participant round and round within one step of the engine.
 * @example loopWithoutWait({ a: { Holdout: { Percentage: 0, NextActivity: "a" } } }) // ["a", "a"]
 */
export function loopWithoutWait(activities: ActivityMap): string[] | undefined {
  const instant = (id: string) => activities[id] !== undefined && !holdsForDuration(activities[id]);
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];

  const visit = (id: string): string[] | undefined => {
    state.set(id, "open");
    path.push(id);
    for (const { target } of activityEdges(activities[id])) {
      if (!instant(target)) continue;
      if (state.get(target) === "open") return [...path.slice(path.indexOf(target)), target];
      if (!state.has(target)) {
        const loop = visit(target);
        if (loop) return loop;
      }
    }
    path.pop();
    state.set(id, "done");
    return undefined;
  };

  for (const id of Object.keys(activities).sort()) {
    if (!instant(id) || state.has(id)) continue;
    const loop = visit(id);
    if (loop) return loop;
  }
  return undefined;
}
