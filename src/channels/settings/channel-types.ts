/**
 * The channels an application can configure, by Pinpoint's channel type names: the keys of
 * GetChannels, the `Platform` of each channel response and the `channel_type` column.
 */

export const channelTypes = [
  "EMAIL",
  "SMS",
  "VOICE",
  "APNS",
  "APNS_SANDBOX",
  "APNS_VOIP",
  "APNS_VOIP_SANDBOX",
  "GCM",
  "BAIDU",
  "ADM",
] as const;

export type ChannelType = (typeof channelTypes)[number];

/**
 * Pinpoint's (deprecated, still returned) channel `Id`: the type in lower case, as in the channel's path.
 * @example channelId("APNS_VOIP_SANDBOX") // "apns_voip_sandbox"
 */
export function channelId(type: ChannelType): string {
  return type.toLowerCase();
}
