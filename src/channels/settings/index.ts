/**
 * Channel settings: each application's email, SMS, voice and push channels, stored with their
 * credentials and answered as Pinpoint answers them (credentials never shown).
 */
import type { ChannelsResponse } from "@aws-sdk/client-pinpoint";
import { conflict, notFound } from "../../api/errors.js";
import { requireApp } from "../../apps/index.js";
import type { Services } from "../../services.js";
import type { ChannelType } from "./channel-types.js";
import { mergeOver, pickMembers } from "./kind.js";
import { channelKinds } from "./kinds.js";
import { findChannel, listChannels, removeChannel, type StoredChannel, saveChannel } from "./queries.js";
import { type ChannelSettingsResponse, channelResponse, channelSummary, inAppChannelSummary } from "./response.js";

export type { ChannelType } from "./channel-types.js";
export type { ChannelSettingsResponse } from "./response.js";

/**
 * Writers only race on one channel of one app, and every lost race means another writer succeeded;
 * a request that loses this many times in a row answers 409 rather than spin.
 */
const writeAttempts = 10;

async function requireChannel(services: Services, appId: string, type: ChannelType): Promise<StoredChannel> {
  await requireApp(services, appId);
  const channel = await findChannel(services.store.db, appId, type);
  if (!channel) throw notFound(`The ${type} channel is not set for application ${appId}`);
  return channel;
}

export async function getChannel(
  services: Services,
  appId: string,
  type: ChannelType,
): Promise<ChannelSettingsResponse> {
  return channelResponse(await requireChannel(services, appId, type), channelKinds[type]);
}

/**
 * Creates or updates the channel: the request's members over the stored ones, checked as Pinpoint
 * checks them, at the next version. A refused request changes nothing.
 */
export async function updateChannel(
  services: Services,
  appId: string,
  type: ChannelType,
  request: object,
  principal: string,
): Promise<ChannelSettingsResponse> {
  await requireApp(services, appId);
  const kind = channelKinds[type];
  const given = pickMembers(kind.members, request);
  for (let attempt = 0; attempt < writeAttempts; attempt++) {
    const stored = await findChannel(services.store.db, appId, type);
    const settings = kind.settle(mergeOver(given, stored && pickMembers(kind.members, stored.settings)), given);
    const now = new Date().toISOString();
    const next: StoredChannel = {
      appId,
      type,
      settings: { ...settings },
      lastModifiedBy: principal,
      version: (stored?.version ?? 0) + 1,
      creationDate: stored?.creationDate ?? now,
      lastModifiedDate: now,
    };
    if (await saveChannel(services.store.db, next, stored?.version)) return channelResponse(next, kind);
  }
  throw conflict(`The ${type} channel is being changed by another request; try again`);
}

/** Deletes the channel, answering what it was. */
export async function deleteChannel(
  services: Services,
  appId: string,
  type: ChannelType,
): Promise<ChannelSettingsResponse> {
  for (let attempt = 0; attempt < writeAttempts; attempt++) {
    const channel = await requireChannel(services, appId, type);
    if (await removeChannel(services.store.db, channel)) return channelResponse(channel, channelKinds[type]);
  }
  throw conflict(`The ${type} channel is being changed by another request; try again`);
}

/** Every channel the application has set, by type, with the in-app channel Pinpoint always lists. */
export async function getChannels(services: Services, appId: string): Promise<ChannelsResponse> {
  await requireApp(services, appId);
  const channels = await listChannels(services.store.db, appId);
  return {
    Channels: {
      IN_APP: inAppChannelSummary,
      ...Object.fromEntries(
        channels.map((channel) => [channel.type, channelSummary(channel, channelKinds[channel.type])]),
      ),
    },
  };
}
