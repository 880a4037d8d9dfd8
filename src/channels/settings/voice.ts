/**
 * The voice channel: Pinpoint keeps only whether it is enabled.
 */
import type { VoiceChannelRequest } from "@aws-sdk/client-pinpoint";
import type { ChannelKind } from "./kind.js";

export const voiceChannel: ChannelKind<VoiceChannelRequest> = {
  members: ["Enabled"],
  hasCredential: false,
  settle: (merged) => merged,
  describe: () => ({}),
};
