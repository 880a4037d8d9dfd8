/**
 * Applying endpoint updates: validate, merge into what is stored, enforce the quotas that depend
 * on stored data, write, and retire other endpoints holding a newly claimed address. Runs inside
 * the caller's transaction, so a PutEvents batch or an import chunk commits as one.
 */
import type { Kysely } from "kysely";
import type { Database, StoreDialect } from "../store/index.js";
import { isEmptyUpdate, mergeEndpoint } from "./merge.js";
import { type Endpoint, type EndpointUpdate, endpointLimits } from "./model.js";
import { countUserEndpoints, deactivateOtherEndpointsWithAddress, readEndpoints, writeEndpoints } from "./queries.js";
import { checkEndpointUpdate, checkMergedEndpoint } from "./validate.js";

export interface UpsertResult {
  Id: string;
  /** Why Waymark refused this update; nothing of it was written. */
  error?: string;
  endpoint?: Endpoint;
}

/**
 * Upserts each update; an invalid one is reported in its result and the others still apply.
 * @example await upsertEndpoints(trx, dialect, appId, [{ Id: "e1", Address: "a@example.com", ChannelType: "EMAIL" }]);
 */
export async function upsertEndpoints(
  db: Kysely<Database>,
  dialect: StoreDialect,
  appId: string,
  updates: EndpointUpdate[],
  now: Date = new Date(),
): Promise<UpsertResult[]> {
  const results: UpsertResult[] = updates.map((update) => ({ Id: update.Id, error: checkEndpointUpdate(update) }));
  const valid = updates.filter((_, i) => !results[i].error);
  const stored = await readEndpoints(db, dialect, appId, [...new Set(valid.map((u) => u.Id))]);

  // Later updates of the same endpoint in one batch build on earlier ones.
  const current = new Map(stored);
  const changed = new Map<string, Endpoint>();
  const claims = new Map<string, { id: string; channelType: string | undefined; address: string }>();
  updates.forEach((update, i) => {
    if (results[i].error) return;
    const before = current.get(update.Id);
    if (before && isEmptyUpdate(update)) {
      results[i].endpoint = before;
      return;
    }
    const merged = mergeEndpoint(before, update, appId, now);
    const error = checkMergedEndpoint(merged);
    if (error) {
      results[i].error = error;
      return;
    }
    current.set(update.Id, merged);
    changed.set(update.Id, merged);
    results[i].endpoint = merged;
    if (update.Address && update.Address !== before?.Address) {
      claims.set(update.Id, { id: update.Id, channelType: merged.ChannelType, address: update.Address });
    }
  });

  await refuseUsersOverQuota(db, appId, stored, changed, results);
  const refused = new Set(results.filter((r) => r.error).map((r) => r.Id));
  const accepted = [...changed.values()].filter((e) => !refused.has(e.Id));
  await writeEndpoints(db, accepted);
  const acceptedIds = new Set(accepted.map((e) => e.Id));
  await deactivateOtherEndpointsWithAddress(
    db,
    appId,
    [...claims.values()].filter((claim) => acceptedIds.has(claim.id)),
  );
  return results;
}

/** Pinpoint allows 15 endpoints per user; updates that would exceed it are refused. */
async function refuseUsersOverQuota(
  db: Kysely<Database>,
  appId: string,
  stored: Map<string, Endpoint>,
  changed: Map<string, Endpoint>,
  results: UpsertResult[],
): Promise<void> {
  const joining = [...changed.values()].filter((e) => e.User.UserId && e.User.UserId !== stored.get(e.Id)?.User.UserId);
  if (joining.length === 0) return;
  const userIds = new Set(joining.map((e) => e.User.UserId ?? ""));
  const counts = await countUserEndpoints(db, appId, [...userIds], [...changed.keys()]);
  for (const endpoint of changed.values()) {
    const userId = endpoint.User.UserId;
    if (userId && userIds.has(userId)) counts.set(userId, (counts.get(userId) ?? 0) + 1);
  }
  for (const endpoint of joining) {
    const userId = endpoint.User.UserId ?? "";
    if ((counts.get(userId) ?? 0) > endpointLimits.endpointsPerUser) {
      for (const result of results) {
        if (result.Id === endpoint.Id) {
          result.error = `User ${userId} would have more than ${endpointLimits.endpointsPerUser} endpoints`;
          result.endpoint = undefined;
        }
      }
    }
  }
}
