/**
 * The event a custom channel function receives, in Pinpoint's shape (developer guide,
 * channels-custom.md), so Lambda code written for Pinpoint runs unchanged behind a URL: the
 * message's Data, where it came from, and up to 50 endpoint definitions keyed by endpoint id.
 */
import type { Endpoint } from "../../endpoints/index.js";
import type { OutboundMessage } from "../../messages/model.js";

/** Pinpoint's documented batch: "Each payload can contain up to 50 endpoints". */
export const endpointsPerCall = 50;

/** An endpoint as the function sees it: the stored definition, keyed elsewhere by its id. */
export type EndpointDefinition = Omit<Partial<Endpoint>, "Id" | "ApplicationId" | "CohortId" | "RequestId">;

export interface CustomChannelEvent {
  Message: Record<string, never>;
  Data?: string;
  ApplicationId: string;
  CampaignId?: string;
  TreatmentId?: string;
  JourneyId?: string;
  ActivityId?: string;
  ScheduledTime: string;
  Endpoints: Record<string, EndpointDefinition>;
}

/** Messages that can share one call: same function, same data, same campaign or journey activity. */
export function callKey(message: OutboundMessage): string {
  if (message.content.kind !== "custom") throw new Error(`message ${message.id} is not a custom channel message`);
  const { origin } = message;
  return JSON.stringify([
    message.content.deliveryUri,
    message.content.data ?? null,
    origin.campaignId ?? null,
    origin.treatmentId ?? null,
    origin.journeyId ?? null,
    origin.journeyActivityId ?? null,
  ]);
}

/** The key a message's endpoint has in the event: its endpoint id, or the address for a send to an address. */
export function endpointKey(message: OutboundMessage): string {
  return message.endpointId ?? message.address;
}

/**
 * Splits messages that share a call key into calls of at most 50 endpoints, each endpoint at most
 * once per call (a second message to the same endpoint waits for the next call).
 */
export function splitIntoCalls(messages: OutboundMessage[]): OutboundMessage[][] {
  const calls: OutboundMessage[][] = [];
  const open = new Map<string, Array<{ messages: OutboundMessage[]; keys: Set<string> }>>();
  for (const message of messages) {
    const key = callKey(message);
    const candidates = open.get(key) ?? [];
    let call = candidates.find((c) => c.messages.length < endpointsPerCall && !c.keys.has(endpointKey(message)));
    if (!call) {
      call = { messages: [], keys: new Set() };
      candidates.push(call);
      open.set(key, candidates);
      calls.push(call.messages);
    }
    call.messages.push(message);
    call.keys.add(endpointKey(message));
  }
  return calls;
}

/**
 * The event for one call. Endpoints Waymark stores appear as stored; a message sent to a bare
 * address appears as `{ChannelType: "CUSTOM", Address}`.
 * @example customChannelEvent(messages, endpointsById, new Date())
 */
export function customChannelEvent(
  messages: OutboundMessage[],
  endpoints: Map<string, Endpoint>,
  scheduledTime: Date,
): CustomChannelEvent {
  const [first] = messages;
  if (first.content.kind !== "custom") throw new Error(`message ${first.id} is not a custom channel message`);
  const { origin } = first;
  const Endpoints: Record<string, EndpointDefinition> = {};
  for (const message of messages) {
    const stored = message.endpointId ? endpoints.get(message.endpointId) : undefined;
    Endpoints[endpointKey(message)] = stored
      ? definitionOf(stored)
      : { ChannelType: "CUSTOM", Address: message.address };
  }
  return {
    Message: {},
    Data: first.content.data,
    ApplicationId: first.appId,
    CampaignId: origin.campaignId,
    // Pinpoint: "If you created a standard campaign, this value is always 0".
    TreatmentId: origin.treatmentId ?? (origin.campaignId ? "0" : undefined),
    JourneyId: origin.journeyId,
    ActivityId: origin.journeyActivityId,
    ScheduledTime: scheduledTime.toISOString(),
    Endpoints,
  };
}

function definitionOf(endpoint: Endpoint): EndpointDefinition {
  const { Id, ApplicationId, CohortId, RequestId, ...definition } = endpoint;
  return definition;
}
