/**
 * Moving participants through their activities until each waits or leaves. The batch goes in
 * steps: each step attends every participant at its current activity, grouped by kind of
 * activity, so what a kind reads (endpoints, templates, opt-outs, message events, segment
 * membership) is read once for the whole group; participants that went on are attended at their
 * next activity in the next step.
 */
import type { Activity } from "@aws-sdk/client-pinpoint";
import { groupBy } from "../../group-by.js";
import type { Batch } from "./batch.js";
import { attendConditionalSplits } from "./conditional-split.js";
import { attendContactCenter } from "./contact-center.js";
import { attendMessages } from "./message-activity.js";
import type { Moving } from "./moving.js";
import { attendHoldout, attendRandomSplit } from "./random-split.js";
import { attendWait } from "./wait.js";

/**
 * More steps than the longest path a journey can have without a wait (40 activities): only a cycle
 * without a wait, which validation refuses, reaches it. Such participants are put aside for a
 * minute rather than spinning the batch.
 */
const maxStepsPerBatch = 50;
const stalledPauseMs = 60_000;

type Kind = "message" | "wait" | "split" | "random" | "holdout" | "contactCenter" | "missing";

function kindOf(activity: Activity | undefined): Kind {
  if (!activity) return "missing";
  if (activity.EMAIL || activity.SMS || activity.PUSH || activity.CUSTOM) return "message";
  if (activity.Wait) return "wait";
  if (activity.ConditionalSplit || activity.MultiCondition) return "split";
  if (activity.RandomSplit) return "random";
  if (activity.Holdout) return "holdout";
  if (activity.ContactCenter) return "contactCenter";
  return "missing";
}

async function attend(kind: Kind, batch: Batch, participants: Moving[]): Promise<Moving[]> {
  switch (kind) {
    case "message":
      return attendMessages(batch, participants);
    case "wait":
      return attendWait(batch, participants);
    case "split":
      return attendConditionalSplits(batch, participants);
    case "random":
      return attendRandomSplit(batch, participants);
    case "holdout":
      return attendHoldout(batch, participants);
    case "contactCenter":
      return attendContactCenter(batch, participants);
    case "missing":
      // An activity the journey no longer has (or one Waymark does not know): the path ends here.
      for (const m of participants) m.leave(batch);
      return [];
  }
}

/**
 * Attends each participant at its current activity, and at the ones it goes on to, until it waits or leaves.
 * @example await advance(batch, [...woken, ...entered]);
 */
export async function advance(batch: Batch, participants: Moving[]): Promise<void> {
  let due = participants;
  for (let step = 0; due.length > 0; step++) {
    if (step === maxStepsPerBatch) {
      for (const m of due) m.waitUntil(batch.now + stalledPauseMs);
      return;
    }
    const next: Moving[] = [];
    for (const [kind, group] of groupBy(due, (m) => kindOf(m.activity()))) {
      next.push(...(await attend(kind, batch, group)));
    }
    due = next;
  }
}
