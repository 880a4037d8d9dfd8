/**
 * Which provider sends an application's messages on a channel: the transport configured for it
 * (config.providers, or the credentials of a push channel), else the sandbox. Providers hold pooled
 * connections, so each is made once per application, channel and channel settings version.
 */
import type { DeliveryChannel } from "../messages/model.js";
import type { Services } from "../services.js";
import { fromJson } from "../store/index.js";
import { customProvider } from "./custom/provider.js";
import { smtpProviderFactory } from "./email/smtp-provider.js";
import type { ChannelProvider } from "./provider.js";
import { admProviderFor } from "./push/adm.js";
import { apnsProviderFor } from "./push/apns.js";
import { baiduProviderFor } from "./push/baidu.js";
import { fcmProviderFor } from "./push/fcm.js";
import { SandboxProvider } from "./sandbox/provider.js";
import { smsProvider } from "./sms/index.js";
import { voiceProvider } from "./voice/http.js";

/** What a provider factory is given: the app's stored channel settings (credentials included). */
export interface ProviderSetup {
  services: Services;
  appId: string;
  channel: DeliveryChannel;
  settings: Record<string, unknown> | undefined;
}

/** Makes the provider for a channel, or answers undefined to leave the channel to the sandbox. */
export type ProviderFactory = (setup: ProviderSetup) => ChannelProvider | undefined;

/** One line per transport; each factory decides from config and settings whether it applies. */
const factories: Partial<Record<DeliveryChannel, ProviderFactory>> = {
  EMAIL: smtpProviderFactory,
  SMS: smsProvider,
  VOICE: voiceProvider,
  CUSTOM: customProvider,
  GCM: fcmProviderFor,
  APNS: apnsProviderFor,
  APNS_SANDBOX: apnsProviderFor,
  APNS_VOIP: apnsProviderFor,
  APNS_VOIP_SANDBOX: apnsProviderFor,
  ADM: admProviderFor,
  BAIDU: baiduProviderFor,
};

/** Channel settings live under Pinpoint's channel type; push variants share their platform's. */
const settingsChannel: Partial<Record<DeliveryChannel, string>> = {};

export class ProviderRegistry {
  private readonly cache = new Map<string, { version: number; provider: ChannelProvider }>();
  private readonly sandbox: SandboxProvider;

  constructor(private readonly services: Services) {
    this.sandbox = new SandboxProvider(services);
  }

  /** `db`: the caller's transaction, when it has one open (SQLite's one connection is held by it). */
  async providerFor(appId: string, channel: DeliveryChannel, db = this.services.store.db): Promise<ChannelProvider> {
    const factory = factories[channel];
    if (!factory) return this.sandbox;
    const row = await db
      .selectFrom("channels")
      .select(["settings", "version"])
      .where("app_id", "=", appId)
      .where("channel_type", "=", settingsChannel[channel] ?? channel)
      .executeTakeFirst();
    const key = `${appId}/${channel}`;
    const cached = this.cache.get(key);
    const version = row?.version ?? 0;
    if (cached && cached.version === version) return cached.provider;
    await cached?.provider.close();
    const settings = row ? fromJson<Record<string, unknown>>(row.settings) : undefined;
    const provider = factory({ services: this.services, appId, channel, settings }) ?? this.sandbox;
    this.cache.set(key, { version, provider });
    return provider;
  }

  async close(): Promise<void> {
    await Promise.all([...this.cache.values()].map(({ provider }) => provider.close()));
    this.cache.clear();
  }
}
