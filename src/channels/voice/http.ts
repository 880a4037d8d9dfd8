/**
 * The voice channel through an HTTP voice provider (config.providers.voice): one JSON POST per
 * message, `{messageId, to, from, text | ssml, languageCode, voiceId}`, with the configured
 * headers (an API key, say). The provider places the call and speaks the message; its answer says
 * whether it accepted the call, and its `id`, when it gives one, is kept as the provider message id.
 */
import { Agent, request } from "undici";
import type { Config } from "../../config.js";
import type { DeliveryOutcome, OutboundMessage } from "../../messages/model.js";
import { httpOutcome, unreachableOutcome } from "../http-outcome.js";
import type { ChannelProvider } from "../provider.js";
import type { ProviderFactory } from "../registry.js";

type VoiceProviderConfig = NonNullable<Config["providers"]["voice"]>;

/** A voice provider queues the call and answers at once; one that takes longer is treated as down. */
const defaultTimeoutMs = 10_000;
/** Calls placed at once; the pipeline's per-sender rate limit paces the batches themselves. */
const concurrentCalls = 10;

/** What the provider receives for one message. */
export interface VoiceCallRequest {
  messageId: string;
  to: string;
  from?: string;
  text?: string;
  ssml?: string;
  languageCode?: string;
  voiceId?: string;
}

/** The call a voice message asks for, SSML or plain text as the message says. */
export function voiceCallRequest(message: OutboundMessage): VoiceCallRequest {
  if (message.content.kind !== "voice") throw new Error(`message ${message.id} is not a voice message`);
  const { body, isSsml, languageCode, voiceId, originationNumber } = message.content;
  return {
    messageId: message.id,
    to: message.address,
    from: originationNumber,
    ...(isSsml ? { ssml: body } : { text: body }),
    languageCode,
    voiceId,
  };
}

export class HttpVoiceProvider implements ChannelProvider {
  private readonly agent = new Agent();

  constructor(
    private readonly config: VoiceProviderConfig,
    private readonly timeoutMs = defaultTimeoutMs,
  ) {}

  async send(messages: OutboundMessage[]): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = new Array(messages.length);
    let next = 0;
    const worker = async () => {
      while (next < messages.length) {
        const index = next++;
        outcomes[index] = await this.call(messages[index]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrentCalls, messages.length) }, worker));
    return outcomes;
  }

  private async call(message: OutboundMessage): Promise<DeliveryOutcome> {
    let statusCode: number;
    let answer: string;
    try {
      const response = await request(this.config.url, {
        method: "POST",
        dispatcher: this.agent,
        headers: { ...this.config.headers, "content-type": "application/json" },
        body: JSON.stringify(voiceCallRequest(message)),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      statusCode = response.statusCode;
      answer = await response.body.text();
    } catch (error) {
      return unreachableOutcome(error);
    }
    const outcome = httpOutcome(statusCode, statusCode < 300 ? "Accepted by the voice provider" : answer);
    const providerMessageId = statusCode < 300 ? callId(answer) : undefined;
    return providerMessageId ? { ...outcome, providerMessageId } : outcome;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** The provider's id for the call, from a JSON answer's `id`, if it gave one. */
function callId(answer: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(answer);
    if (typeof parsed !== "object" || parsed === null || !("id" in parsed)) return undefined;
    const { id } = parsed;
    return typeof id === "string" || typeof id === "number" ? String(id) : undefined;
  } catch {
    return undefined;
  }
}

/** The registry's factory: the HTTP provider when config.providers.voice is set, else the sandbox. */
export const voiceProvider: ProviderFactory = ({ services }) => {
  const config = services.config.providers.voice;
  return config ? new HttpVoiceProvider(config) : undefined;
};
