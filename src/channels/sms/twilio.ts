/**
 * SMS through a Twilio-compatible REST API (config.providers.sms: { type: "twilio", url,
 * accountSid, authToken }): one form-encoded POST to the account's Messages resource per message,
 * with a StatusCallback URL that brings the delivery receipt back to Waymark
 * (see twilio-callbacks.ts).
 */
import { Agent, request } from "undici";
import type { Config } from "../../config.js";
import type { DeliveryOutcome, OutboundMessage, SmsContent } from "../../messages/model.js";
import type { Services } from "../../services.js";
import { httpOutcome, unreachableOutcome } from "../http-outcome.js";
import type { ChannelProvider } from "../provider.js";
import { sendEach } from "./outgoing.js";
import { twilioStatusCallbackUrl } from "./twilio-callbacks.js";

export type TwilioConfig = Extract<NonNullable<Config["providers"]["sms"]>, { type: "twilio" }>;

/** Twilio answers a message create at once; one that takes longer is treated as down. */
const timeoutMs = 10_000;
/** Requests in flight at once; the pipeline's per-sender rate limit paces the batches themselves. */
const concurrentRequests = 10;

/** Twilio error codes that say the number itself is no good: its endpoint is retired. */
const deadNumberCodes = new Set([
  21211, // Invalid 'To' phone number
  21614, // 'To' number is not a valid mobile number
]);
/** The recipient replied STOP to this sender at Twilio. */
const unsubscribedRecipient = 21610;

/**
 * What Twilio's answer to a message create means: 201 accepted (its `sid` is the provider message
 * id), 429 throttled, 5xx retried, any other 4xx refused for good (its error `code` decides whether
 * the number is dead or opted out).
 * @example twilioOutcome(400, '{"code":21610,"message":"Attempt to send to unsubscribed recipient"}') // OPT_OUT
 */
export function twilioOutcome(statusCode: number, answer: string): DeliveryOutcome {
  const body = parseAnswer(answer);
  if (statusCode >= 200 && statusCode < 300) {
    const outcome = httpOutcome(statusCode, "Accepted by the SMS provider");
    return typeof body.sid === "string" ? { ...outcome, providerMessageId: body.sid } : outcome;
  }
  const detail = typeof body.code === "number" ? `${body.code} ${body.message ?? ""}`.trim() : answer;
  const outcome = httpOutcome(statusCode, detail);
  if (statusCode === 429 || statusCode >= 500) return outcome;
  if (body.code === unsubscribedRecipient) return { ...outcome, status: "OPT_OUT" };
  if (typeof body.code === "number" && deadNumberCodes.has(body.code)) return { ...outcome, deactivateEndpoint: true };
  return outcome;
}

export class TwilioProvider implements ChannelProvider {
  private readonly agent = new Agent();
  private readonly messagesUrl: string;
  private readonly authorization: string;

  /** `defaultFrom` is the app's SMS channel ShortCode or SenderId, for messages that name no sender. */
  constructor(
    private readonly services: Services,
    private readonly appId: string,
    config: TwilioConfig,
    private readonly defaultFrom: string | undefined,
  ) {
    const base = config.url.replace(/\/+$/, "");
    this.messagesUrl = `${base}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
    this.authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString("base64")}`;
  }

  send(messages: OutboundMessage[]): Promise<DeliveryOutcome[]> {
    return sendEach(
      this.services,
      this.appId,
      messages,
      concurrentRequests,
      (message, content, from) => this.create(message, content, from),
      this.defaultFrom,
    );
  }

  private async create(message: OutboundMessage, content: SmsContent, from: string): Promise<DeliveryOutcome> {
    const form = new URLSearchParams({
      To: message.address,
      From: from,
      Body: content.body,
      StatusCallback: twilioStatusCallbackUrl(this.services.config.publicUrl, message.id),
    });
    try {
      const response = await request(this.messagesUrl, {
        method: "POST",
        dispatcher: this.agent,
        headers: { authorization: this.authorization, "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return twilioOutcome(response.statusCode, await response.body.text());
    } catch (error) {
      return unreachableOutcome(error);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

interface TwilioAnswer {
  sid?: unknown;
  code?: unknown;
  message?: unknown;
}

function parseAnswer(answer: string): TwilioAnswer {
  try {
    const parsed: unknown = JSON.parse(answer);
    return typeof parsed === "object" && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}
