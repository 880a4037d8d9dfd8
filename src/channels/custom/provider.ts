/**
 * Pinpoint's custom channel: campaigns and journeys hand endpoints to a function of the
 * customer's own (a webhook, or a Lambda function mapped to a URL) instead of a built-in channel.
 * Messages are grouped by function, data and origin, and posted in Pinpoint's event shape, 50
 * endpoints a call; the function's answer settles every message of the call, and the
 * EventAttributes it returns per endpoint are kept on that endpoint's send event.
 */
import { Agent, request } from "undici";
import { type Endpoint, fromRow } from "../../endpoints/index.js";
import type { DeliveryOutcome, OutboundMessage } from "../../messages/model.js";
import type { Services } from "../../services.js";
import { httpOutcome, unreachableOutcome } from "../http-outcome.js";
import type { ChannelProvider } from "../provider.js";
import type { ProviderFactory } from "../registry.js";
import { customChannelEvent, endpointKey, splitIntoCalls } from "./payload.js";
import { eventAttributesByEndpoint } from "./response.js";
import { recordCustomSends, recordedSends } from "./send-events.js";
import { customTarget } from "./target.js";
import { WebhookVerifier } from "./verify.js";

/** A function may do real work per endpoint (call another API); past this it is treated as down. */
const callTimeoutMs = 30_000;
/** Calls in flight at once for one batch. */
const concurrentCalls = 5;

export class CustomChannelProvider implements ChannelProvider {
  private readonly agent = new Agent();
  private readonly verifier: WebhookVerifier;

  constructor(private readonly services: Services) {
    this.verifier = new WebhookVerifier(services.config.accountId, this.agent);
  }

  async send(messages: OutboundMessage[]): Promise<DeliveryOutcome[]> {
    const endpoints = await this.readEndpoints(messages);
    const outcomes = new Map<string, DeliveryOutcome>();
    const calls = splitIntoCalls(messages);
    let next = 0;
    const worker = async () => {
      while (next < calls.length) {
        const call = calls[next++];
        const outcome = await this.call(call, endpoints);
        for (const message of call) outcomes.set(message.id, outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrentCalls, calls.length) }, worker));
    // splitIntoCalls puts every message in exactly one call.
    return messages.map((message) => outcomes.get(message.id) as DeliveryOutcome);
  }

  /** Messages whose send event was recorded were accepted by the function, even if the sender died after. */
  accepted(messages: OutboundMessage[]): Promise<Set<string>> {
    return recordedSends(this.services.store.db, messages);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async call(messages: OutboundMessage[], endpoints: Map<string, Endpoint>): Promise<DeliveryOutcome> {
    const [first] = messages;
    if (first.content.kind !== "custom") {
      return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: "Not a custom channel message" };
    }
    const target = customTarget(first.content.deliveryUri, this.services.config.lambdaFunctions);
    if (target.kind === "unusable") {
      return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: target.reason };
    }
    if (target.kind === "webhook") {
      const refused = await this.verifier.check(target.url);
      if (refused) return refused;
    }
    let statusCode: number;
    let answer: string;
    try {
      const response = await request(target.url, {
        method: "POST",
        dispatcher: this.agent,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(customChannelEvent(messages, endpoints, new Date())),
        signal: AbortSignal.timeout(callTimeoutMs),
      });
      statusCode = response.statusCode;
      answer = await response.body.text();
    } catch (error) {
      return unreachableOutcome(error);
    }
    if (statusCode < 200 || statusCode > 299) return httpOutcome(statusCode, answer);
    const attributes = eventAttributesByEndpoint(answer);
    await recordCustomSends(
      this.services.store.db,
      messages.map((message) => ({ message, eventAttributes: attributes.get(endpointKey(message)) ?? {} })),
    );
    return httpOutcome(statusCode, `Delivered to the custom channel ${target.kind}`);
  }

  private async readEndpoints(messages: OutboundMessage[]): Promise<Map<string, Endpoint>> {
    const byApp = new Map<string, Set<string>>();
    for (const message of messages) {
      if (!message.endpointId) continue;
      byApp.set(message.appId, (byApp.get(message.appId) ?? new Set()).add(message.endpointId));
    }
    const endpoints = new Map<string, Endpoint>();
    for (const [appId, ids] of byApp) {
      const rows = await this.services.store.db
        .selectFrom("endpoints")
        .selectAll()
        .where("app_id", "=", appId)
        .where("id", "in", [...ids])
        .execute();
      for (const row of rows) endpoints.set(row.id, fromRow(row));
    }
    return endpoints;
  }
}

/** The registry's factory: custom channel messages always go to the function their DeliveryUri names. */
export const customProvider: ProviderFactory = ({ services }) => new CustomChannelProvider(services);
