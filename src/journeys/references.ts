/**
 * What a journey definition names outside itself: the templates of its message activities (by
 * name, type and version) and the segments of its start condition and splits. Each must exist, or
 * the journey is refused with a 400 that names the activity.
 */
import type { Activity } from "@aws-sdk/client-pinpoint";
import { PinpointError } from "../api/errors.js";
import { getSegment } from "../segments/index.js";
import type { Services } from "../services.js";
import { getActiveTemplate } from "../templates/index.js";
import type { JourneyDefinition } from "./model.js";
import { refuse } from "./validate-formats.js";

/** Whether the lookup found its resource: false for Pinpoint's 404, any other failure is thrown on. */
async function found(lookup: Promise<unknown>): Promise<boolean> {
  try {
    await lookup;
    return true;
  } catch (error) {
    if (error instanceof PinpointError && error.statusCode === 404) return false;
    throw error;
  }
}

/** The segments a definition names, each with where it names it. */
function namedSegments(definition: Partial<JourneyDefinition>): Array<{ where: string; segmentId: string }> {
  const named: Array<{ where: string; segmentId: string }> = [];
  const start = definition.StartCondition;
  if (start?.SegmentStartCondition?.SegmentId) {
    named.push({ where: "StartCondition.SegmentStartCondition", segmentId: start.SegmentStartCondition.SegmentId });
  }
  if (start?.EventStartCondition?.SegmentId) {
    named.push({ where: "StartCondition.EventStartCondition", segmentId: start.EventStartCondition.SegmentId });
  }
  for (const [id, activity] of Object.entries(definition.Activities ?? {})) {
    const conditions = [
      ...(activity.ConditionalSplit?.Condition?.Conditions ?? []),
      ...(activity.MultiCondition?.Branches ?? []).map((branch) => branch.Condition ?? {}),
    ];
    for (const condition of conditions) {
      const segmentId = condition.SegmentCondition?.SegmentId;
      if (segmentId) named.push({ where: `Activity '${id}': SegmentCondition`, segmentId });
    }
  }
  return named;
}

const templateTypes = ["EMAIL", "SMS", "PUSH"] as const;

function templateOf(activity: Activity) {
  for (const type of templateTypes) {
    const message = activity[type];
    if (message?.TemplateName) {
      const version = message.TemplateVersion ? Number(message.TemplateVersion) : undefined;
      return { type, name: message.TemplateName, version };
    }
  }
  return undefined;
}

/**
 * Throws a 400 for the first template or segment the (partial) definition names that does not exist.
 * @example await checkReferences(services, appId, { Activities: { welcome: { EMAIL: { TemplateName: "Welcome" } } } })
 */
export async function checkReferences(
  services: Services,
  appId: string,
  definition: Partial<JourneyDefinition>,
): Promise<void> {
  for (const [id, activity] of Object.entries(definition.Activities ?? {})) {
    const template = templateOf(activity);
    if (!template) continue;
    if (!(await found(getActiveTemplate(services, template.name, template.type, template.version)))) {
      const version = template.version === undefined ? "" : ` version ${template.version}`;
      refuse(`Activity '${id}': there is no ${template.type} template '${template.name}'${version}`);
    }
  }
  for (const { where, segmentId } of namedSegments(definition)) {
    if (!(await found(getSegment(services, appId, segmentId)))) refuse(`${where}: there is no segment '${segmentId}'`);
  }
}
