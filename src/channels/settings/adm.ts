/**
 * The ADM (Amazon Device Messaging) channel: an OAuth client ID and secret, both required on every update.
 */
import type { ADMChannelRequest } from "@aws-sdk/client-pinpoint";
import type { ChannelKind } from "./kind.js";
import { requireText } from "./kind.js";

export const admChannel: ChannelKind<ADMChannelRequest> = {
  members: ["ClientId", "ClientSecret", "Enabled"],
  hasCredential: true,
  settle(merged) {
    requireText(merged.ClientId, "ClientId");
    requireText(merged.ClientSecret, "ClientSecret");
    return merged;
  },
  describe: () => ({}),
};
