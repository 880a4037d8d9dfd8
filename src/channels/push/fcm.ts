/**
 * Firebase Cloud Messaging through the HTTP v1 API, Pinpoint's GCM channel. The channel's
 * ServiceJson (a Google service account key) signs OAuth assertions; the access token they buy is
 * cached until shortly before it expires and shared by every send. Each message is one
 * `POST /v1/projects/{project_id}/messages:send`, several in flight at once over HTTP/2.
 */
import { request } from "undici";
import type { DeliveryOutcome, OutboundMessage } from "../../messages/model.js";
import type { ChannelProvider } from "../provider.js";
import type { ProviderSetup } from "../registry.js";
import { AccessTokenCache, CredentialsRefused } from "./access-token.js";
import { fcmRequest } from "./fcm-message.js";
import { fcmOutcome } from "./fcm-outcome.js";
import { readServiceAccount, requestMessagingToken, type ServiceAccount } from "./google-service-account.js";
import { sendInFlight } from "./in-flight.js";
import { connectionsPerOrigin, createPushAgent } from "./push-agent.js";
import { UnusableChannelProvider } from "./unusable-channel.js";

const fcmUrl = "https://fcm.googleapis.com";

/** Google turned off the legacy FCM API (server keys) in 2024; Pinpoint's KEY method cannot send any more. */
const legacyKeyRetired =
  "The GCM channel has only a legacy server key (ApiKey), which Google no longer accepts: " +
  "upload the Firebase project's service account key as ServiceJson (UpdateGcmChannel) to send through FCM HTTP v1";

export class FcmProvider implements ChannelProvider {
  private readonly agent = createPushAgent();
  private readonly tokens: AccessTokenCache;
  private readonly sendUrl: string;

  constructor(account: ServiceAccount, urls: { url?: string; tokenUrl?: string }) {
    const base = (urls.url ?? fcmUrl).replace(/\/+$/, "");
    this.sendUrl = `${base}/v1/projects/${encodeURIComponent(account.projectId)}/messages:send`;
    const tokenUrl = urls.tokenUrl ?? account.tokenUrl;
    this.tokens = new AccessTokenCache(() => requestMessagingToken(this.agent, account, tokenUrl));
  }

  send(messages: OutboundMessage[]): Promise<DeliveryOutcome[]> {
    return sendInFlight(messages, connectionsPerOrigin, (message) => this.sendOne(message));
  }

  private async sendOne(message: OutboundMessage): Promise<DeliveryOutcome> {
    if (message.content.kind !== "push") {
      return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: "Only push messages go through FCM" };
    }
    const built = fcmRequest(message.address, message.content, message.origin);
    if ("error" in built) return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: built.error };
    let accessToken: string;
    try {
      accessToken = await this.tokens.get();
    } catch (error) {
      const statusMessage = `FCM authorization failed: ${error instanceof Error ? error.message : String(error)}`;
      return error instanceof CredentialsRefused
        ? { status: "PERMANENT_FAILURE", statusCode: 401, statusMessage }
        : { status: "TEMPORARY_FAILURE", statusCode: 500, statusMessage };
    }
    try {
      const response = await request(this.sendUrl, {
        dispatcher: this.agent,
        method: "POST",
        headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify(built.body),
      });
      const text = await response.body.text();
      if (response.statusCode === 401) {
        // Revoked before its time: drop it, so the retry of this message gets a fresh one.
        this.tokens.invalidate(accessToken);
        return { status: "TEMPORARY_FAILURE", statusCode: 401, statusMessage: "FCM refused the access token" };
      }
      return fcmOutcome(response.statusCode, text);
    } catch (error) {
      const statusMessage = `FCM unreachable: ${error instanceof Error ? error.message : String(error)}`;
      return { status: "TEMPORARY_FAILURE", statusCode: 500, statusMessage };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/**
 * The GCM channel's provider: FCM HTTP v1 when the channel has a service account key, a clear
 * permanent failure when it has only a legacy server key, the sandbox when it is not set.
 */
export function fcmProviderFor({ services, settings }: ProviderSetup): ChannelProvider | undefined {
  if (!settings) return undefined;
  const { ServiceJson, ApiKey } = settings;
  if (typeof ServiceJson === "string") {
    let account: ServiceAccount;
    try {
      account = readServiceAccount(ServiceJson);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return new UnusableChannelProvider(`The GCM channel's ServiceJson cannot be used: ${reason}`);
    }
    return new FcmProvider(account, services.config.providers.fcm ?? {});
  }
  if (typeof ApiKey === "string") return new UnusableChannelProvider(legacyKeyRetired);
  return undefined;
}
