/**
 * Baidu Cloud Push (REST API 3.0), Pinpoint's BAIDU channel. Each message is one signed form POST
 * to `push/single_device` for the device's channel ID: a pass-through message (msg_type 0) whose
 * JSON carries Pinpoint's Android keys, which the AWS SDK for Android's Baidu receiver reads; a
 * RawContent with a title or description is sent as a notification Baidu displays (msg_type 1).
 *
 * Baidu documents its error codes only loosely, so no answer retires an endpoint here: server
 * errors are retried, everything else fails permanently with Baidu's code and message.
 *
 * Baidu's host is the default; WAYMARK_BAIDU_URL moves it (for a local stand-in); config.providers
 * has no Baidu entry yet.
 */
import { createHash } from "node:crypto";
import { request } from "undici";
import type { DeliveryOutcome, OutboundMessage, PushContent } from "../../messages/model.js";
import type { ChannelProvider } from "../provider.js";
import type { ProviderSetup } from "../registry.js";
import { sendInFlight } from "./in-flight.js";
import { androidData } from "./pinpoint-data.js";
import { connectionsPerOrigin, createPushAgent } from "./push-agent.js";

const baiduUrl = "https://api.tuisong.baidu.com/rest/3.0";
const androidDeviceType = "3";

/** PHP's urlencode, which Baidu's signature is defined over: RFC 3986 unreserved except `~`, spaces as `+`. */
function phpUrlEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/**
 * Baidu's request signature: MD5 of the method, the URL, the parameters sorted by name, and the
 * secret key, URL-encoded as PHP does.
 * @example baiduSignature("POST", "https://api.tuisong.baidu.com/rest/3.0/push/single_device", params, secretKey)
 */
export function baiduSignature(method: string, url: string, params: Record<string, string>, secretKey: string): string {
  const sorted = Object.keys(params)
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join("");
  return createHash("md5")
    .update(phpUrlEncode(`${method}${url}${sorted}${secretKey}`))
    .digest("hex");
}

function baiduMessage(
  content: PushContent,
  message: OutboundMessage,
): { msg: string; type: string } | { error: string } {
  if (content.raw === undefined) return { msg: JSON.stringify(androidData(content, message.origin)), type: "0" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.raw);
  } catch {
    return { error: "RawContent is not valid JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { error: "RawContent must be a JSON object" };
  }
  return { msg: content.raw, type: "title" in parsed || "description" in parsed ? "1" : "0" };
}

interface BaiduAnswer {
  error_code?: number;
  error_msg?: string;
  response_params?: { msg_id?: string | number };
}

function baiduOutcome(statusCode: number, text: string): DeliveryOutcome {
  let answer: BaiduAnswer = {};
  try {
    answer = JSON.parse(text) as BaiduAnswer;
  } catch {
    // A body that is not JSON (a proxy's error page) is judged by its status alone.
  }
  if (statusCode === 200 && !answer.error_code) {
    const messageId = answer.response_params?.msg_id;
    return {
      status: "SUCCESSFUL",
      statusCode: 200,
      statusMessage: "Accepted by Baidu Cloud Push",
      providerMessageId: messageId === undefined ? undefined : String(messageId),
    };
  }
  const statusMessage = `Baidu ${answer.error_code ?? `HTTP ${statusCode}`}${answer.error_msg ? `: ${answer.error_msg}` : ""}`;
  if (statusCode >= 500) return { status: "TEMPORARY_FAILURE", statusCode, statusMessage };
  return { status: "PERMANENT_FAILURE", statusCode: Math.max(statusCode, 400), statusMessage };
}

export class BaiduProvider implements ChannelProvider {
  private readonly agent = createPushAgent();
  private readonly sendUrl: string;

  constructor(
    private readonly credentials: { apiKey: string; secretKey: string },
    url: string,
  ) {
    this.sendUrl = `${url.replace(/\/+$/, "")}/push/single_device`;
  }

  send(messages: OutboundMessage[]): Promise<DeliveryOutcome[]> {
    return sendInFlight(messages, connectionsPerOrigin, (message) => this.sendOne(message));
  }

  private async sendOne(message: OutboundMessage): Promise<DeliveryOutcome> {
    if (message.content.kind !== "push") {
      return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: "Only push messages go through Baidu" };
    }
    const built = baiduMessage(message.content, message);
    if ("error" in built) return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: built.error };
    const params: Record<string, string> = {
      apikey: this.credentials.apiKey,
      timestamp: String(Math.floor(Date.now() / 1000)),
      device_type: androidDeviceType,
      channel_id: message.address,
      msg: built.msg,
      msg_type: built.type,
    };
    if (message.content.timeToLive !== undefined) params.msg_expires = String(message.content.timeToLive);
    params.sign = baiduSignature("POST", this.sendUrl, params, this.credentials.secretKey);
    try {
      const response = await request(this.sendUrl, {
        dispatcher: this.agent,
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded;charset=utf-8",
          "user-agent": "BCCS_SDK/3.0 (Waymark)",
        },
        body: new URLSearchParams(params).toString(),
      });
      return baiduOutcome(response.statusCode, await response.body.text());
    } catch (error) {
      const statusMessage = `Baidu unreachable: ${error instanceof Error ? error.message : String(error)}`;
      return { status: "TEMPORARY_FAILURE", statusCode: 500, statusMessage };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** The BAIDU channel's provider when the app has set the channel; the sandbox otherwise. */
export function baiduProviderFor({ services, settings }: ProviderSetup): ChannelProvider | undefined {
  const apiKey = settings?.ApiKey;
  const secretKey = settings?.SecretKey;
  if (typeof apiKey !== "string" || typeof secretKey !== "string") return undefined;
  return new BaiduProvider({ apiKey, secretKey }, services.config.providers.baidu?.url ?? baiduUrl);
}
