/**
 * Channel responses as Pinpoint returns them, built field by field from what is stored so that no
 * credential can slip through: the common fields every channel has, then the channel's own.
 */
import type { ChannelResponse } from "@aws-sdk/client-pinpoint";
import { channelId } from "./channel-types.js";
import { type ChannelDetails, type ChannelKind, type ChannelSettings, pickMembers } from "./kind.js";
import type { StoredChannel } from "./queries.js";

/** A channel's full response (EmailChannelResponse, APNSChannelResponse...). */
export type ChannelSettingsResponse = ChannelResponse & { Platform: string } & ChannelDetails;

/** The common fields, as GetChannels lists each channel. */
export function channelSummary(channel: StoredChannel, kind: ChannelKind<ChannelSettings>): ChannelResponse {
  return {
    ApplicationId: channel.appId,
    CreationDate: channel.creationDate,
    Enabled: channel.settings.Enabled !== false,
    ...(kind.hasCredential ? { HasCredential: true } : {}),
    Id: channelId(channel.type),
    IsArchived: false,
    LastModifiedBy: channel.lastModifiedBy,
    LastModifiedDate: channel.lastModifiedDate,
    Version: channel.version,
  };
}

/** The response GetEmailChannel, UpdateApnsChannel, DeleteGcmChannel... answer. */
export function channelResponse(channel: StoredChannel, kind: ChannelKind<ChannelSettings>): ChannelSettingsResponse {
  return {
    ...channelSummary(channel, kind),
    Platform: channel.type,
    ...kind.describe(pickMembers(kind.members, channel.settings)),
  };
}

/**
 * Pinpoint lists the in-app channel in every project's GetChannels: always on, never configured
 * (it has no settings operations), so at version 0.
 */
export const inAppChannelSummary: ChannelResponse = { Enabled: true, IsArchived: false, Version: 0 };
