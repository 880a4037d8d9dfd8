/**
 * Channel settings: GetChannels, and Get/Update/Delete for each of the ten channels. Each channel's
 * operations differ only in their name, the channel type and the request member, listed here.
 */
import { type ChannelType, deleteChannel, getChannel, getChannels, updateChannel } from "../channels/settings/index.js";
import { type Handlers, member } from "./handler.js";

/** Operation name part, channel type and the Update operation's request member, per channel. */
const channelOperations: Array<[name: string, type: ChannelType, requestMember: string]> = [
  ["Email", "EMAIL", "EmailChannelRequest"],
  ["Sms", "SMS", "SMSChannelRequest"],
  ["Voice", "VOICE", "VoiceChannelRequest"],
  ["Apns", "APNS", "APNSChannelRequest"],
  ["ApnsSandbox", "APNS_SANDBOX", "APNSSandboxChannelRequest"],
  ["ApnsVoip", "APNS_VOIP", "APNSVoipChannelRequest"],
  ["ApnsVoipSandbox", "APNS_VOIP_SANDBOX", "APNSVoipSandboxChannelRequest"],
  ["Gcm", "GCM", "GCMChannelRequest"],
  ["Baidu", "BAIDU", "BaiduChannelRequest"],
  ["Adm", "ADM", "ADMChannelRequest"],
];

function handlersFor([name, type, requestMember]: (typeof channelOperations)[number]): Handlers {
  return {
    [`Get${name}Channel`]: (input, { services }) => getChannel(services, member(input, "ApplicationId"), type),
    [`Update${name}Channel`]: (input, { services, principal }) =>
      updateChannel(services, member(input, "ApplicationId"), type, member<object>(input, requestMember), principal),
    [`Delete${name}Channel`]: (input, { services }) => deleteChannel(services, member(input, "ApplicationId"), type),
  };
}

export const channelHandlers: Handlers = {
  GetChannels: (input, { services }) => getChannels(services, member(input, "ApplicationId")),
  ...Object.fromEntries(channelOperations.flatMap((operation) => Object.entries(handlersFor(operation)))),
};
