/**
 * A SimpleCondition's segment dimensions have two spellings. Pinpoint's JSON names the member
 * `segmentDimensions`, the one lower-case member of a journey; the SDK's types call it
 * SegmentDimensions, and a client writing the JSON by hand may send either. A definition is saved
 * (and read back from older rows) with the wire's spelling alone, so GetJourney answers what the
 * SDK reads, and validation and the engine read one member through `segmentDimensionsOf`. Pure.
 */
import type { Activity, SegmentDimensions, SimpleCondition } from "@aws-sdk/client-pinpoint";

type Spelt = SimpleCondition & { segmentDimensions?: SegmentDimensions };

/**
 * The condition's segment dimensions, in a definition spelt as on the wire.
 * @example segmentDimensionsOf({ segmentDimensions: { Attributes: {...} } } as SimpleCondition)
 */
export function segmentDimensionsOf(condition: SimpleCondition): SegmentDimensions | undefined {
  return (condition as Spelt).segmentDimensions;
}

/**
 * The definition with each condition's dimensions spelt as on the wire (when a condition has both,
 * the wire's wins, as on Pinpoint); the same object when none needed it.
 * @example withWireSpelling({ Activities: { split: { ConditionalSplit: { Condition: { Conditions: [{ SegmentDimensions: d }] } } } } })
 * // { Activities: { split: { ConditionalSplit: { Condition: { Conditions: [{ segmentDimensions: d }] } } } } }
 */
export function withWireSpelling<T extends { Activities?: Record<string, Activity> }>(definition: T): T {
  const activities = definition.Activities;
  if (!activities || typeof activities !== "object") return definition;
  let changed = false;
  const respelt = (condition: SimpleCondition): SimpleCondition => {
    if (!condition || typeof condition !== "object" || !("SegmentDimensions" in condition)) return condition;
    changed = true;
    const { SegmentDimensions: sdkSpelling, ...rest } = condition as Spelt;
    return { ...rest, segmentDimensions: (condition as Spelt).segmentDimensions ?? sdkSpelling } as Spelt;
  };
  const respeltActivities: Record<string, Activity> = {};
  for (const [id, activity] of Object.entries(activities)) {
    const split = activity?.ConditionalSplit;
    const multi = activity?.MultiCondition;
    let next = activity;
    if (split?.Condition && Array.isArray(split.Condition.Conditions)) {
      const Condition = { ...split.Condition, Conditions: split.Condition.Conditions.map(respelt) };
      next = { ...next, ConditionalSplit: { ...split, Condition } };
    }
    if (multi && Array.isArray(multi.Branches)) {
      const Branches = multi.Branches.map((branch) =>
        branch?.Condition ? { ...branch, Condition: respelt(branch.Condition) } : branch,
      );
      next = { ...next, MultiCondition: { ...multi, Branches } };
    }
    respeltActivities[id] = next;
  }
  return changed ? { ...definition, Activities: respeltActivities } : definition;
}
