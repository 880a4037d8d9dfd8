/**
 * The SMS channel: the sender ID or short code messages go out from.
 */
import type { SMSChannelRequest } from "@aws-sdk/client-pinpoint";
import { badRequest } from "../../api/errors.js";
import type { ChannelKind } from "./kind.js";

/** What Pinpoint reports for a new account's promotional and transactional sending rates. */
const defaultMessagesPerSecond = 20;

/** AWS's rule for alphanumeric sender IDs: 1 to 11 letters and digits, at least one a letter. */
const senderId = /^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/;
/** Short codes are 3 to 8 digits, depending on the country. */
const shortCode = /^\d{3,8}$/;

export const smsChannel: ChannelKind<SMSChannelRequest> = {
  members: ["Enabled", "SenderId", "ShortCode"],
  hasCredential: false,
  settle(merged) {
    if (merged.SenderId !== undefined && !senderId.test(merged.SenderId)) {
      throw badRequest("SenderId must be 1 to 11 letters and digits, with at least one letter");
    }
    if (merged.ShortCode !== undefined && !shortCode.test(merged.ShortCode)) {
      throw badRequest("ShortCode must be 3 to 8 digits");
    }
    return merged;
  },
  describe: (settings) => ({
    SenderId: settings.SenderId,
    ShortCode: settings.ShortCode,
    PromotionalMessagesPerSecond: defaultMessagesPerSecond,
    TransactionalMessagesPerSecond: defaultMessagesPerSecond,
  }),
};
