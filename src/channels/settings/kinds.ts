/**
 * Every channel type's rules, by Pinpoint's channel type name.
 */
import { admChannel } from "./adm.js";
import { apnsChannel } from "./apns.js";
import { baiduChannel } from "./baidu.js";
import type { ChannelType } from "./channel-types.js";
import { emailChannel } from "./email.js";
import { gcmChannel } from "./gcm.js";
import type { ChannelKind, ChannelSettings } from "./kind.js";
import { smsChannel } from "./sms.js";
import { voiceChannel } from "./voice.js";

export const channelKinds: Record<ChannelType, ChannelKind<ChannelSettings>> = {
  EMAIL: emailChannel,
  SMS: smsChannel,
  VOICE: voiceChannel,
  APNS: apnsChannel,
  APNS_SANDBOX: apnsChannel,
  APNS_VOIP: apnsChannel,
  APNS_VOIP_SANDBOX: apnsChannel,
  GCM: gcmChannel,
  BAIDU: baiduChannel,
  ADM: admChannel,
};
