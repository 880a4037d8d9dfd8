/**
 * How an update merges into a stored endpoint, as Pinpoint does it: scalar fields are replaced
 * when given; Attributes, Metrics and UserAttributes are replaced key by key, keeping other keys;
 * Demographic and Location field by field. The status becomes ACTIVE unless the update says otherwise.
 */
import { createHash } from "node:crypto";
import type { Endpoint, EndpointUpdate } from "./model.js";

/** Pinpoint's CohortId: a stable bucket 0-99 per endpoint, for random splits and holdouts. */
export function cohortOf(endpointId: string): string {
  return String(createHash("sha256").update(endpointId).digest().readUInt32BE(0) % 100);
}

/** The entries of a map or structure that carry a value (JSON null means "not given"). */
function defined<V>(value: Record<string, V | undefined> | object | undefined): Record<string, V> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined && v !== null));
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
    ...base,
    ChannelType: update.ChannelType ?? base.ChannelType,
    Address: update.Address ?? base.Address,
    Attributes: { ...base.Attributes, ...defined<string[]>(update.Attributes) },
    Metrics: { ...base.Metrics, ...defined<number>(update.Metrics) },
    User: {
      UserId: update.User?.UserId ?? base.User.UserId,
      UserAttributes: { ...base.User.UserAttributes, ...defined<string[]>(update.User?.UserAttributes) },
    },
    Demographic: { ...base.Demographic, ...defined(update.Demographic) },
    Location: { ...base.Location, ...defined(update.Location) },
    OptOut: update.OptOut ?? base.OptOut,
    EndpointStatus: update.EndpointStatus ?? "ACTIVE",
    EffectiveDate: update.EffectiveDate ?? timestamp,
    RequestId: update.RequestId ?? base.RequestId,
  };
}

/** Whether an update carries anything at all (PutEvents often sends an empty Endpoint). */
export function isEmptyUpdate(update: EndpointUpdate): boolean {
  return Object.entries(update).every(([key, value]) => key === "Id" || value === undefined || value === null);
}
