/**
 * The Baidu Cloud Push channel: an API key and secret key, both required on every update.
 */
import type { BaiduChannelRequest } from "@aws-sdk/client-pinpoint";
import type { ChannelKind } from "./kind.js";
import { requireText } from "./kind.js";

export const baiduChannel: ChannelKind<BaiduChannelRequest> = {
  members: ["ApiKey", "Enabled", "SecretKey"],
  hasCredential: true,
  settle(merged) {
    requireText(merged.ApiKey, "ApiKey");
    requireText(merged.SecretKey, "SecretKey");
    return merged;
  },
  // BaiduChannelResponse's Credential would be the API key itself: a secret, so never shown.
  describe: () => ({}),
};
