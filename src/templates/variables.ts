/**
 * The values a template's message variables resolve to for one recipient: the endpoint's fields
 * ({{Id}}, {{Address}}, {{Attributes.X}}, {{User.UserAttributes.X}}, {{Demographic.X}}, ...), the
 * event that brought it (journeys: {{Event.Attributes.X}}), the template's DefaultSubstitutions where
 * the recipient has no value, and the message's Substitutions over everything. Pure.
 */

import { badRequest } from "../api/errors.js";
import type { Endpoint } from "../endpoints/index.js";

/** The endpoint fields a template can use; any may be missing (a message sent to a bare address). */
export type EndpointVariables = Partial<
  Pick<
    Endpoint,
    | "Id"
    | "Address"
    | "ChannelType"
    | "OptOut"
    | "EndpointStatus"
    | "EffectiveDate"
    | "CreationDate"
    | "RequestId"
    | "CohortId"
    | "Attributes"
    | "Metrics"
    | "Demographic"
    | "Location"
  >
> & { User?: { UserId?: string; UserAttributes?: Record<string, string[]> } };

/** The event a journey participant arrived with: {{Event.EventType}}, {{Event.Attributes.X}}, {{Event.Metrics.X}}. */
export interface EventVariables {
  EventType?: string;
  Attributes?: Record<string, string>;
  Metrics?: Record<string, number>;
}

export interface MessageVariables {
  endpoint?: EndpointVariables;
  event?: EventVariables;
  /** The message's Substitutions (variable name → values); they take precedence over all other values. */
  substitutions?: Record<string, string[]>;
}

type Context = Record<string, unknown>;

/**
 * A list of attribute values that renders as Pinpoint shows a list: its values joined with ", ".
 * It stays a list, so `{{Attributes.Colors.[0]}}` and `{{#each Attributes.Colors}}` still work.
 */
function valueList(values: readonly unknown[]): string[] {
  const list = values.map(String);
  Object.defineProperty(list, "toString", { value: () => list.join(", ") });
  return list;
}

function listsOf(attributes: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(attributes ?? {})) {
    if (Array.isArray(values)) out[name] = valueList(values);
  }
  return out;
}

/**
 * Variables holding one value; all others (endpoint and user attributes, and names a message makes
 * up) hold a list, as Pinpoint keeps attributes.
 */
const singleValued = new Set([
  "Id",
  "Address",
  "ChannelType",
  "OptOut",
  "EndpointStatus",
  "EffectiveDate",
  "CreationDate",
  "RequestId",
  "CohortId",
  "Demographic",
  "Location",
  "Metrics",
  "Event",
]);

function isSingleValued(path: string[]): boolean {
  return singleValued.has(path[0]) || (path[0] === "User" && path[1] === "UserId");
}

/** Names that would reach an object's prototype are never variables. */
const unsafeSegments = new Set(["__proto__", "prototype", "constructor"]);

function pathOf(name: string): string[] | undefined {
  const path = name.split(".");
  if (path.some((segment) => segment === "" || unsafeSegments.has(segment))) return undefined;
  return path;
}

function lookup(context: Context, path: string[]): unknown {
  let value: unknown = context;
  for (const segment of path) {
    if (!value || typeof value !== "object" || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Context)[segment];
  }
  return value;
}

function assign(context: Context, path: string[], value: unknown): void {
  let target = context;
  for (const segment of path.slice(0, -1)) {
    const next = target[segment];
    if (next === undefined || next === null) target[segment] = {};
    else if (typeof next !== "object" || Array.isArray(next)) return;
    target = target[segment] as Context;
  }
  target[path[path.length - 1]] = value;
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

/**
 * Parses a template's DefaultSubstitutions: a JSON object of variable name → default value.
 * Throws Pinpoint's 400 for anything else.
 * @example parseDefaultSubstitutions('{"User.UserAttributes.FirstName":"there"}')
 */
export function parseDefaultSubstitutions(json: string | undefined): Record<string, string> {
  if (json === undefined || json.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw badRequest("DefaultSubstitutions is not valid JSON");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw badRequest("DefaultSubstitutions must be a JSON object of variable names to default values");
  }
  const defaults: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!["string", "number", "boolean"].includes(typeof value)) {
      throw badRequest(`DefaultSubstitutions: the default for "${name}" must be a string, number or boolean`);
    }
    defaults[name] = String(value);
  }
  return defaults;
}

/**
 * The Handlebars context for one recipient.
 * @example messageContext({ endpoint: { Attributes: { City: ["Lisbon"] } } }, undefined)
 */
export function messageContext(variables: MessageVariables, defaultSubstitutions: string | undefined): Context {
  const { endpoint = {}, event, substitutions = {} } = variables;
  const context: Context = {
    Id: endpoint.Id,
    Address: endpoint.Address,
    ChannelType: endpoint.ChannelType,
    OptOut: endpoint.OptOut,
    EndpointStatus: endpoint.EndpointStatus,
    EffectiveDate: endpoint.EffectiveDate,
    CreationDate: endpoint.CreationDate,
    RequestId: endpoint.RequestId,
    CohortId: endpoint.CohortId,
    Attributes: listsOf(endpoint.Attributes),
    Metrics: { ...endpoint.Metrics },
    Demographic: { ...endpoint.Demographic },
    Location: { ...endpoint.Location },
    User: { UserId: endpoint.User?.UserId, UserAttributes: listsOf(endpoint.User?.UserAttributes) },
  };
  if (event) {
    context.Event = { EventType: event.EventType, Attributes: { ...event.Attributes }, Metrics: { ...event.Metrics } };
  }
  for (const [name, value] of Object.entries(parseDefaultSubstitutions(defaultSubstitutions))) {
    const path = pathOf(name);
    if (path && isMissing(lookup(context, path)))
      assign(context, path, isSingleValued(path) ? value : valueList([value]));
  }
  for (const [name, values] of Object.entries(substitutions)) {
    const path = pathOf(name);
    const list = valueList(Array.isArray(values) ? values : [values]);
    if (path) assign(context, path, isSingleValued(path) ? list.toString() : list);
  }
  return context;
}
