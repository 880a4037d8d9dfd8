/**
 * How an update merges into a stored endpoint, as Pinpoint does it: scalar fields are replaced
 * when given; Attributes, Metrics and UserAttributes are replaced key by key, keeping other keys;
 * Demographic and Location field by field. The status becomes ACTIVE unless the update says otherwise.
 */
import { hash } from "node:crypto";
import type { Endpoint, EndpointUpdate } from "./model.js";

/** Pinpoint's CohortId: a stable bucket 0-99 per endpoint, for random splits and holdouts. */
export function cohortOf(endpointId: string): string {
  return String(hash("sha256", endpointId, "buffer").readUInt32BE(0) % 100);
}

/**
 * `base` with the entries of `update` that carry a value laid over it (JSON null means "not given").
 * A copy and a loop rather than `{ ...base, ...update }`, which V8 runs many times slower: this
 * runs five times for every endpoint an import writes.
 */
function overlay<T extends object>(base: T, update: T | undefined): T {
  const merged = { ...base } as Record<string, unknown>;
  if (!update) return merged as T;
  for (const key of Object.keys(update)) {
    const value = (update as Record<string, unknown>)[key];
    if (value !== undefined && value !== null) merged[key] = value;
  }
  return merged as T;
}

/**
 * @example merge(undefined, { Id: "e1", ChannelType: "EMAIL", Address: "a@example.com" }, "app", now)
 */
export function mergeEndpoint(
  existing: Endpoint | undefined,
  update: EndpointUpdate,
  applicationId: string,
  now: Date,
): Endpoint {
  const timestamp = now.toISOString();
  const base: Endpoint = existing ?? {
    ApplicationId: applicationId,
    Id: update.Id,
    Attributes: {},
    Metrics: {},
    User: { UserAttributes: {} },
    Demographic: {},
    Location: {},
    OptOut: "NONE",
    EndpointStatus: "ACTIVE",
    EffectiveDate: timestamp,
    CreationDate: timestamp,
    CohortId: cohortOf(update.Id),
  };
  return {
    ApplicationId: base.ApplicationId,
    Id: base.Id,
    ChannelType: update.ChannelType ?? base.ChannelType,
    Address: update.Address ?? base.Address,
    Attributes: overlay(base.Attributes, update.Attributes),
    Metrics: overlay(base.Metrics, update.Metrics),
    User: {
      UserId: update.User?.UserId ?? base.User.UserId,
      UserAttributes: overlay(base.User.UserAttributes, update.User?.UserAttributes),
    },
    Demographic: overlay(base.Demographic, update.Demographic),
    Location: overlay(base.Location, update.Location),
    OptOut: update.OptOut ?? base.OptOut,
    EndpointStatus: update.EndpointStatus ?? "ACTIVE",
    EffectiveDate: update.EffectiveDate ?? timestamp,
    CreationDate: base.CreationDate,
    CohortId: base.CohortId,
    RequestId: update.RequestId ?? base.RequestId,
  };
}

/** Whether an update carries anything at all (PutEvents often sends an empty Endpoint). */
export function isEmptyUpdate(update: EndpointUpdate): boolean {
  return Object.entries(update).every(([key, value]) => key === "Id" || value === undefined || value === null);
}
