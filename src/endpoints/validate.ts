/**
 * Pure checks of endpoint updates against Pinpoint's rules and quotas. Each returns the message a
 * client sees in its 400, or undefined when the endpoint is acceptable.
 */
import { channelTypes, type Endpoint, type EndpointUpdate, endpointLimits as limits } from "./model.js";

const isoDate = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function checkAttributeMap(label: string, map: Record<string, string[]> | undefined): string | undefined {
  for (const [name, values] of Object.entries(map ?? {})) {
    if (name.length === 0 || name.length > limits.attributeNameLength) {
      return `${label} name "${name.slice(0, 60)}" must be 1 to ${limits.attributeNameLength} characters`;
    }
    if (!Array.isArray(values)) return `${label}.${name} must be a list of strings`;
    if (values.length > limits.valuesPerAttribute) {
      return `${label}.${name} has ${values.length} values; the limit is ${limits.valuesPerAttribute}`;
    }
    for (const value of values) {
      if (typeof value !== "string") return `${label}.${name} values must be strings`;
      if (value.length > limits.attributeValueLength) {
        return `${label}.${name} has a value longer than ${limits.attributeValueLength} characters`;
      }
    }
  }
  return undefined;
}

/** Checks what the update itself says, before it is merged. */
export function checkEndpointUpdate(update: EndpointUpdate): string | undefined {
  if (typeof update.Id !== "string" || update.Id.length === 0) return "Endpoint Id is required";
  if (update.Id.length > limits.endpointIdLength) {
    return `Endpoint Id must be at most ${limits.endpointIdLength} characters`;
  }
  if (update.ChannelType !== undefined && !(channelTypes as readonly string[]).includes(update.ChannelType)) {
    return `ChannelType must be one of ${channelTypes.join(", ")}`;
  }
  if (update.OptOut !== undefined && update.OptOut !== "ALL" && update.OptOut !== "NONE") {
    return "OptOut must be ALL or NONE";
  }
  if (update.EndpointStatus !== undefined && !["ACTIVE", "INACTIVE"].includes(update.EndpointStatus)) {
    return "EndpointStatus must be ACTIVE or INACTIVE";
  }
  if (
    update.EffectiveDate !== undefined &&
    (!isoDate.test(update.EffectiveDate) || Number.isNaN(Date.parse(update.EffectiveDate)))
  ) {
    return "EffectiveDate must be an ISO 8601 date";
  }
  const { Latitude, Longitude } = update.Location ?? {};
  if (Latitude !== undefined && (Latitude < -90 || Latitude > 90)) return "Location.Latitude must be from -90 to 90";
  if (Longitude !== undefined && (Longitude < -180 || Longitude > 180)) {
    return "Location.Longitude must be from -180 to 180";
  }
  for (const [name, value] of Object.entries(update.Metrics ?? {})) {
    if (name.length === 0 || name.length > limits.attributeNameLength) {
      return `Metrics name "${name.slice(0, 60)}" must be 1 to ${limits.attributeNameLength} characters`;
    }
    if (typeof value !== "number" || !Number.isFinite(value)) return `Metrics.${name} must be a number`;
  }
  return (
    checkAttributeMap("Attributes", update.Attributes) ??
    checkAttributeMap("User.UserAttributes", update.User?.UserAttributes)
  );
}

/** Checks the endpoint as it would be stored: the quotas that count what is already there. */
export function checkMergedEndpoint(endpoint: Endpoint): string | undefined {
  const count =
    Object.keys(endpoint.Attributes).length +
    Object.keys(endpoint.Metrics).length +
    Object.keys(endpoint.User.UserAttributes).length;
  if (count > limits.attributesPerEndpoint) {
    return `An endpoint can have at most ${limits.attributesPerEndpoint} attributes across Attributes, Metrics and UserAttributes; this one would have ${count}`;
  }
  const size = Buffer.byteLength(JSON.stringify(endpoint));
  if (size > limits.bytesPerEndpoint) {
    return `An endpoint can be at most ${limits.bytesPerEndpoint / 1024} KB; this one would be ${Math.ceil(size / 1024)} KB`;
  }
  return undefined;
}
