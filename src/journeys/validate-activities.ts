/**
 * The activities of a journey definition, checked without I/O: each holds exactly one kind of
 * activity with sound settings, every activity it leads to exists, no loop runs without a wait,
 * and an engagement split names a message activity that a participant passes before reaching it.
 * Pinpoint's quotas hold (40 activities, 4 branches and a default per multivariate split, 5
 * per random split). Messages name the activity at fault.
 */
import type {
  Activity,
  ConditionalSplitActivity,
  MultiConditionalSplitActivity,
  RandomSplitActivity,
  SimpleCondition,
  WaitTime,
} from "@aws-sdk/client-pinpoint";
import { segmentDimensionsOf } from "./conditions/segment-dimensions.js";
import { type ActivityMap, activityEdges, loopWithoutWait, reaches } from "./graph.js";
import { type JourneyDefinition, journeyLimits, messageChannel } from "./model.js";
import { checkDateTime, checkDuration, refuse } from "./validate-formats.js";

/** The kinds of activity an Activity can hold, as its members name them. */
export const activityKinds = [
  "EMAIL",
  "SMS",
  "PUSH",
  "CUSTOM",
  "Wait",
  "ConditionalSplit",
  "MultiCondition",
  "RandomSplit",
  "Holdout",
  "ContactCenter",
] as const;

/** The outcome events of each channel's messages, which an engagement split may wait for. */
const outcomePrefix: Record<string, string> = { EMAIL: "_email.", SMS: "_SMS.", PUSH: "_push." };

const activityIdPattern = /^[A-Za-z0-9_-]{1,100}$/;

export function checkActivities(definition: JourneyDefinition, complete: boolean): void {
  const activities: ActivityMap = definition.Activities ?? {};
  const ids = Object.keys(activities);
  if (ids.length > journeyLimits.activities) {
    refuse(`A journey holds at most ${journeyLimits.activities} activities; this one has ${ids.length}`);
  }
  for (const id of ids) {
    if (!activityIdPattern.test(id)) {
      refuse(`Activity id '${id}' must be 1 to 100 letters, digits, underscores or hyphens`);
    }
  }
  const start = definition.StartActivity;
  if (start !== undefined && start !== null && !activities[start]) {
    refuse(`StartActivity '${start}' is not an activity of this journey`);
  }
  if (complete && (start === undefined || start === null)) {
    refuse("StartActivity is required to publish a journey: name the activity participants start at");
  }
  for (const id of ids) checkActivity(id, activities, complete, start);
  const loop = loopWithoutWait(activities);
  if (loop) {
    refuse(
      `Activities ${loop.map((id) => `'${id}'`).join(" → ")} form a loop without a wait: add a Wait with WaitFor (or a split with EvaluationWaitTime.WaitFor) to it`,
    );
  }
}

function checkActivity(id: string, activities: ActivityMap, complete: boolean, start: string | undefined): void {
  const activity = activities[id];
  if (activity === null || typeof activity !== "object") refuse(`Activity '${id}' must be an object`);
  const kinds = activityKinds.filter((kind) => activity[kind] !== undefined && activity[kind] !== null);
  if (kinds.length === 0) refuse(`Activity '${id}' holds no activity: give one of ${activityKinds.join(", ")}`);
  if (kinds.length > 1) refuse(`Activity '${id}' holds ${kinds.join(" and ")}: an activity is exactly one kind`);

  for (const edge of activityEdges(activity)) {
    if (!activities[edge.target]) {
      refuse(`Activity '${id}': ${edge.field} '${edge.target}' is not an activity of this journey`);
    }
  }

  const where = `Activity '${id}'`;
  switch (kinds[0]) {
    case "EMAIL":
    case "SMS":
    case "PUSH":
      checkMessage(where, activity[kinds[0]] ?? {}, complete);
      break;
    case "CUSTOM":
      if (complete && !activity.CUSTOM?.DeliveryUri) {
        refuse(`${where}: CUSTOM needs a DeliveryUri (a Lambda function ARN or an https URL)`);
      }
      checkTemplateVersion(where, activity.CUSTOM?.TemplateVersion);
      break;
    case "Wait":
      checkWaitTime(`${where}: Wait.WaitTime`, activity.Wait?.WaitTime, true);
      break;
    case "ConditionalSplit":
      checkConditionalSplit(id, activity.ConditionalSplit as ConditionalSplitActivity, activities, complete, start);
      break;
    case "MultiCondition":
      checkMultiCondition(id, activity.MultiCondition as MultiConditionalSplitActivity, activities, complete, start);
      break;
    case "RandomSplit":
      checkRandomSplit(where, activity.RandomSplit as RandomSplitActivity);
      break;
    case "Holdout":
      checkPercentage(`${where}: Holdout.Percentage`, activity.Holdout?.Percentage);
      break;
  }
}

function checkMessage(
  where: string,
  message: { TemplateName?: string; TemplateVersion?: string },
  complete: boolean,
): void {
  if (complete && !message.TemplateName) refuse(`${where}: a message activity needs a TemplateName`);
  checkTemplateVersion(where, message.TemplateVersion);
}

function checkTemplateVersion(where: string, version: string | undefined): void {
  if (version !== undefined && version !== null && version !== "" && !/^[1-9][0-9]*$/.test(String(version))) {
    refuse(`${where}: TemplateVersion '${version}' is not a version number`);
  }
}

/** A wait: exactly one of a duration (WaitFor) or a date (WaitUntil); a split's may be left out. */
function checkWaitTime(field: string, wait: WaitTime | undefined, required: boolean): void {
  const given = [wait?.WaitFor, wait?.WaitUntil].filter((value) => value !== undefined && value !== null);
  if (given.length === 0 && !required) return;
  if (given.length !== 1) refuse(`${field} needs exactly one of WaitFor (a duration) or WaitUntil (a date)`);
  checkDuration(wait?.WaitFor, `${field}.WaitFor`);
  checkDateTime(wait?.WaitUntil, `${field}.WaitUntil`);
}

function checkPercentage(field: string, value: number | undefined): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 100) {
    refuse(`${field} must be a whole number from 0 to 100, not ${String(value)}`);
  }
}

function checkConditionalSplit(
  id: string,
  split: ConditionalSplitActivity,
  activities: ActivityMap,
  complete: boolean,
  start: string | undefined,
): void {
  const where = `Activity '${id}': ConditionalSplit`;
  const conditions = split.Condition?.Conditions ?? [];
  if (complete && conditions.length === 0) refuse(`${where} needs a Condition with at least one of its Conditions`);
  const operator = split.Condition?.Operator as string | undefined;
  if (operator !== undefined && operator !== null && operator !== "ALL" && operator !== "ANY") {
    refuse(`${where}.Condition.Operator must be ALL or ANY, not '${operator}'`);
  }
  for (const [i, condition] of conditions.entries()) {
    checkCondition(`${where}.Condition.Conditions[${i}]`, id, condition, activities, start);
  }
  checkWaitTime(`${where}.EvaluationWaitTime`, split.EvaluationWaitTime, false);
}

function checkMultiCondition(
  id: string,
  split: MultiConditionalSplitActivity,
  activities: ActivityMap,
  complete: boolean,
  start: string | undefined,
): void {
  const where = `Activity '${id}': MultiCondition`;
  const branches = split.Branches ?? [];
  if (branches.length > journeyLimits.multiConditionBranches) {
    refuse(
      `${where} holds at most ${journeyLimits.multiConditionBranches} Branches (and a DefaultActivity); it has ${branches.length}`,
    );
  }
  if (complete && branches.length === 0) refuse(`${where} needs at least one of its Branches`);
  for (const [i, branch] of branches.entries()) {
    if (branch.Condition) checkCondition(`${where}.Branches[${i}].Condition`, id, branch.Condition, activities, start);
    else if (complete) refuse(`${where}.Branches[${i}] needs a Condition`);
  }
  checkWaitTime(`${where}.EvaluationWaitTime`, split.EvaluationWaitTime, false);
}

function checkRandomSplit(where: string, split: RandomSplitActivity): void {
  const branches = split.Branches ?? [];
  if (branches.length === 0 || branches.length > journeyLimits.randomSplitBranches) {
    refuse(`${where}: RandomSplit needs 1 to ${journeyLimits.randomSplitBranches} Branches; it has ${branches.length}`);
  }
  for (const [i, branch] of branches.entries()) {
    checkPercentage(`${where}: RandomSplit.Branches[${i}].Percentage`, branch.Percentage);
  }
  const total = branches.reduce((sum, branch) => sum + (branch.Percentage ?? 0), 0);
  if (total !== 100) refuse(`${where}: RandomSplit Branches' percentages add up to ${total}, not 100`);
}

/**
 * One condition of a split: exactly one of an EventCondition (on a message this journey sent the
 * participant earlier), a SegmentCondition, or segment dimensions.
 */
function checkCondition(
  where: string,
  splitId: string,
  condition: SimpleCondition,
  activities: ActivityMap,
  start: string | undefined,
): void {
  const dimensions = segmentDimensionsOf(condition);
  const given = [condition.EventCondition, condition.SegmentCondition, dimensions].filter(
    (part) => part !== undefined && part !== null,
  );
  if (given.length !== 1) {
    refuse(`${where} needs exactly one of EventCondition, SegmentCondition or segmentDimensions`);
  }
  if (condition.SegmentCondition && !condition.SegmentCondition.SegmentId) {
    refuse(`${where}.SegmentCondition needs a SegmentId`);
  }
  const event = condition.EventCondition;
  if (!event) return;
  const messageId = event.MessageActivity;
  if (!messageId)
    refuse(`${where}.EventCondition needs a MessageActivity: the message activity whose outcome it tests`);
  const message = activities[messageId];
  const channel = message ? messageChannel(message as Activity) : undefined;
  if (!channel) {
    refuse(
      `${where}.EventCondition.MessageActivity '${messageId}' is not a message activity (EMAIL, SMS, PUSH or CUSTOM) of this journey`,
    );
  }
  const before =
    reaches(activities, messageId, splitId) && (!start || start === messageId || reaches(activities, start, messageId));
  if (!before) {
    refuse(
      `${where}.EventCondition.MessageActivity '${messageId}' does not come before activity '${splitId}' on any path of the journey`,
    );
  }
  const prefix = outcomePrefix[channel];
  for (const eventType of event.Dimensions?.EventType?.Values ?? []) {
    if (prefix && !eventType.startsWith(prefix)) {
      refuse(
        `${where}.EventCondition: '${eventType}' is not an outcome of ${channel} activity '${messageId}' (${prefix}*)`,
      );
    }
  }
}
