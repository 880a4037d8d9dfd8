/**
 * The Apple Push Notification service over HTTP/2, Pinpoint's APNS, APNS_SANDBOX, APNS_VOIP and
 * APNS_VOIP_SANDBOX channels. Token authentication signs a provider token with the channel's .p8
 * key; certificate authentication presents the channel's certificate on the TLS connection. Each
 * provider keeps one connection, and many notifications are in flight on it at once.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { DeliveryChannel, DeliveryOutcome, OutboundMessage } from "../../messages/model.js";
import type { ChannelProvider } from "../provider.js";
import type { ProviderSetup } from "../registry.js";
import { ApnsConnection } from "./apns-connection.js";
import { apnsRequest, isVoipChannel } from "./apns-notification.js";
import { apnsOutcome, apnsReason } from "./apns-outcome.js";
import { ProviderToken } from "./apns-token.js";
import { sendInFlight } from "./in-flight.js";
import { UnusableChannelProvider } from "./unusable-channel.js";

const appleOrigins = { production: "https://api.push.apple.com", sandbox: "https://api.sandbox.push.apple.com" };
const sendsInFlight = 100;

export class ApnsProvider implements ChannelProvider {
  constructor(
    private readonly connection: ApnsConnection,
    private readonly topic: string | undefined,
    private readonly token?: ProviderToken,
  ) {}

  send(messages: OutboundMessage[]): Promise<DeliveryOutcome[]> {
    return sendInFlight(messages, sendsInFlight, (message) => this.sendOne(message));
  }

  private async sendOne(message: OutboundMessage): Promise<DeliveryOutcome> {
    if (message.content.kind !== "push") {
      return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: "Only push messages go through APNs" };
    }
    const built = apnsRequest(message.channel, this.topic, message.content, message.origin, Date.now());
    if ("error" in built) return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: built.error };
    const bearer = this.token?.bearer();
    const headers = bearer ? { ...built.headers, authorization: bearer } : built.headers;
    try {
      const answer = await this.connection.post(
        `/3/device/${encodeURIComponent(message.address)}`,
        headers,
        built.payload,
      );
      const outcome = apnsOutcome(answer.status, answer.apnsId, answer.body);
      if (bearer && answer.status === 403 && apnsReason(answer.body) === "ExpiredProviderToken") {
        // Not the channel's fault: the next attempt signs a new token.
        this.token?.expire(bearer);
        return { ...outcome, status: "TEMPORARY_FAILURE" };
      }
      return outcome;
    } catch (error) {
      const statusMessage = `APNs unreachable: ${error instanceof Error ? error.message : String(error)}`;
      return { status: "TEMPORARY_FAILURE", statusCode: 500, statusMessage };
    }
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

/** PushKit notifications go to the app's `.voip` topic. */
function topicFor(bundleId: string, channel: DeliveryChannel): string {
  return isVoipChannel(channel) && !bundleId.endsWith(".voip") ? `${bundleId}.voip` : bundleId;
}

/** An Apple push certificate names its app in the subject's UID; APNs would default to it too. */
function certificateTopic(certificate: X509Certificate): string | undefined {
  return /^UID=(.+)$/m.exec(certificate.subject)?.[1];
}

function textSetting(settings: Record<string, unknown>, name: string): string | undefined {
  const value = settings[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function providerFrom(channel: DeliveryChannel, origin: string, settings: Record<string, unknown>): ChannelProvider {
  const bundleId = textSetting(settings, "BundleId");
  if (textSetting(settings, "DefaultAuthenticationMethod") === "TOKEN") {
    const tokenKey = textSetting(settings, "TokenKey");
    const keyId = textSetting(settings, "TokenKeyId");
    const teamId = textSetting(settings, "TeamId");
    if (!tokenKey || !keyId || !teamId || !bundleId) {
      return new UnusableChannelProvider(`The ${channel} channel lacks TokenKey, TokenKeyId, TeamId or BundleId`);
    }
    return new ApnsProvider(
      new ApnsConnection(origin),
      topicFor(bundleId, channel),
      new ProviderToken(tokenKey, keyId, teamId),
    );
  }
  const cert = textSetting(settings, "Certificate");
  const key = textSetting(settings, "PrivateKey");
  if (!cert || !key) return new UnusableChannelProvider(`The ${channel} channel lacks a Certificate and PrivateKey`);
  createPrivateKey(key);
  const topic = bundleId ? topicFor(bundleId, channel) : certificateTopic(new X509Certificate(cert));
  return new ApnsProvider(new ApnsConnection(origin, { cert, key }), topic);
}

/**
 * An APNs channel's provider, from its stored settings and DefaultAuthenticationMethod; the sandbox
 * channels go to Apple's development environment. Keys that do not parse make the channel fail
 * every message with the reason, rather than fall back to the sandbox.
 */
export function apnsProviderFor({ services, channel, settings }: ProviderSetup): ChannelProvider | undefined {
  if (!settings) return undefined;
  const urls = services.config.providers.apns ?? {};
  const sandbox = channel === "APNS_SANDBOX" || channel === "APNS_VOIP_SANDBOX";
  const origin = sandbox ? (urls.sandboxUrl ?? appleOrigins.sandbox) : (urls.productionUrl ?? appleOrigins.production);
  try {
    return providerFrom(channel, origin, settings);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return new UnusableChannelProvider(`The ${channel} channel's key or certificate cannot be used: ${reason}`);
  }
}
