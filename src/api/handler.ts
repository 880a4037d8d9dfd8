/**
 * What an operation's handler receives and returns. Input is keyed by the model's member names
 * (ApplicationId, PageSize, EndpointRequest...), exactly the SDK's input shape; the handler returns
 * the output payload (ApplicationResponse, EventsResponse...), or nothing for 204 operations.
 */
import type { FastifyBaseLogger as Logger } from "fastify";
import type { Services } from "../services.js";

export interface RequestContext {
  services: Services;
  requestId: string;
  /** The access key that signed the request, recorded as `LastUpdatedBy` where Pinpoint keeps one. */
  principal: string;
  log: Logger;
}

export type OperationInput = Record<string, unknown>;

export type Handler = (input: OperationInput, context: RequestContext) => Promise<unknown>;

/** One resource's operations, by their model name. */
export type Handlers = Record<string, Handler>;

/** Reads a member the model declares, typed as the SDK types it. */
export function member<T>(input: OperationInput, name: string): T {
  return input[name] as T;
}
