import { PinpointError } from "../../api/errors.js";
import { type SegmentTarget, segmentMembers } from "../../segments/membership.js";
import type { Batch } from "./batch.js";

/**
 * Which of these endpoints are in the segment (or match the inline criteria), read in the batch's
 * transaction. A segment deleted after the journey was published holds nobody: the participants
 * go on as non-members rather than stalling the batch.
 * @example const members = await membersOf(batch, appId, { segmentId }, endpointIds);
 */
export async function membersOf(
  batch: Batch,
  appId: string,
  target: SegmentTarget,
  endpointIds: string[],
): Promise<Set<string>> {
  try {
    return await segmentMembers(batch.inTransaction, appId, target, endpointIds);
  } catch (error) {
    if (error instanceof PinpointError && error.statusCode < 500) return new Set();
    throw error;
  }
}
