/**
 * Amazon Device Messaging, Pinpoint's ADM channel (Fire devices). The channel's client ID and
 * secret buy an OAuth access token (client credentials, scope messaging:push), cached until shortly
 * before it expires; each message is one POST to the device's registration ID, its data carrying
 * Pinpoint's Android keys, as the AWS SDKs for Fire OS read them.
 *
 * Amazon's hosts are the default. WAYMARK_ADM_URL and WAYMARK_ADM_TOKEN_URL move them (for a local
 * stand-in); config.providers has no ADM entry yet.
 */
import { request } from "undici";
import type { DeliveryOutcome, OutboundMessage, PushContent } from "../../messages/model.js";
import type { ChannelProvider } from "../provider.js";
import type { ProviderSetup } from "../registry.js";
import { AccessTokenCache, CredentialsRefused, requestAccessToken } from "./access-token.js";
import { admOutcome } from "./adm-outcome.js";
import { sendInFlight } from "./in-flight.js";
import { androidData } from "./pinpoint-data.js";
import { connectionsPerOrigin, createPushAgent } from "./push-agent.js";

const amazonUrl = "https://api.amazon.com";
const amazonTokenUrl = "https://api.amazon.com/auth/o2/token";

/** The ADM body: Pinpoint's data keys, or RawContent (an ADM message in ADM's own JSON) as is. */
function admBody(content: PushContent, message: OutboundMessage): { body: string } | { error: string } {
  if (content.raw !== undefined) {
    try {
      const parsed: unknown = JSON.parse(content.raw);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return { error: "RawContent must be a JSON object" };
      }
    } catch {
      return { error: "RawContent is not valid JSON" };
    }
    return { body: content.raw };
  }
  const body: Record<string, unknown> = { data: androidData(content, message.origin) };
  if (content.timeToLive !== undefined) body.expiresAfter = content.timeToLive;
  return { body: JSON.stringify(body) };
}

export class AdmProvider implements ChannelProvider {
  private readonly agent = createPushAgent();
  private readonly tokens: AccessTokenCache;
  private readonly baseUrl: string;

  constructor(credentials: { clientId: string; clientSecret: string }, urls: { url: string; tokenUrl: string }) {
    this.baseUrl = urls.url.replace(/\/+$/, "");
    this.tokens = new AccessTokenCache(() =>
      requestAccessToken(this.agent, urls.tokenUrl, {
        grant_type: "client_credentials",
        scope: "messaging:push",
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
      }),
    );
  }

  send(messages: OutboundMessage[]): Promise<DeliveryOutcome[]> {
    return sendInFlight(messages, connectionsPerOrigin, (message) => this.sendOne(message));
  }

  private async sendOne(message: OutboundMessage): Promise<DeliveryOutcome> {
    if (message.content.kind !== "push") {
      return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: "Only push messages go through ADM" };
    }
    const built = admBody(message.content, message);
    if ("error" in built) return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: built.error };
    let accessToken: string;
    try {
      accessToken = await this.tokens.get();
    } catch (error) {
      const statusMessage = `ADM authorization failed: ${error instanceof Error ? error.message : String(error)}`;
      return error instanceof CredentialsRefused
        ? { status: "PERMANENT_FAILURE", statusCode: 401, statusMessage }
        : { status: "TEMPORARY_FAILURE", statusCode: 500, statusMessage };
    }
    try {
      const response = await request(
        `${this.baseUrl}/messaging/registrations/${encodeURIComponent(message.address)}/messages`,
        {
          dispatcher: this.agent,
          method: "POST",
          headers: {
            authorization: `Bearer ${accessToken}`,
            "content-type": "application/json",
            accept: "application/json",
            "x-amzn-type-version": "com.amazon.device.messaging.ADMMessage@1.0",
            "x-amzn-accept-type": "com.amazon.device.messaging.ADMSendResult@1.0",
          },
          body: built.body,
        },
      );
      const text = await response.body.text();
      if (response.statusCode === 401) {
        // AccessTokenExpired: drop it, so the retry of this message gets a fresh one.
        this.tokens.invalidate(accessToken);
        return { status: "TEMPORARY_FAILURE", statusCode: 401, statusMessage: "ADM refused the access token" };
      }
      const requestId = response.headers["x-amzn-requestid"];
      return admOutcome(response.statusCode, typeof requestId === "string" ? requestId : undefined, text);
    } catch (error) {
      const statusMessage = `ADM unreachable: ${error instanceof Error ? error.message : String(error)}`;
      return { status: "TEMPORARY_FAILURE", statusCode: 500, statusMessage };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** The ADM channel's provider when the app has set the channel; the sandbox otherwise. */
export function admProviderFor({ services, settings }: ProviderSetup): ChannelProvider | undefined {
  const clientId = settings?.ClientId;
  const clientSecret = settings?.ClientSecret;
  if (typeof clientId !== "string" || typeof clientSecret !== "string") return undefined;
  return new AdmProvider(
    { clientId, clientSecret },
    {
      url: services.config.providers.adm?.url ?? amazonUrl,
      tokenUrl: services.config.providers.adm?.tokenUrl ?? amazonTokenUrl,
    },
  );
}
