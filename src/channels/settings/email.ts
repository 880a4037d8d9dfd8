/**
 * The email channel: who mail is from, the SES identity that covers that address, and the roles
 * Pinpoint would use for SES events and orchestration sends.
 */
import type { EmailChannelRequest } from "@aws-sdk/client-pinpoint";
import { badRequest } from "../../api/errors.js";
import type { ChannelKind } from "./kind.js";
import { requireText } from "./kind.js";

/** What Pinpoint reports for an account still in the SES sandbox, where every new account starts. */
const defaultMessagesPerSecond = 1;

const mailbox = /^[^\s@<>]+@([^\s@<>]+\.[^\s@<>]+)$/;
/** `Display Name <address>`, which SES accepts as a From address. */
const namedMailbox = /^[^<>]*<([^<>]+)>$/;
const identityArn = /^arn:aws[a-z-]*:ses:[^:]+:[^:]+:identity\/(.+)$/;
const roleArn = /^arn:aws[a-z-]*:iam::[^:]*:role\/.+$/;

/** The bare address of a From address, or undefined when it is not one. @example fromMailbox("Shop <shop@example.com>") // "shop@example.com" */
function fromMailbox(fromAddress: string): string | undefined {
  const address = namedMailbox.exec(fromAddress.trim())?.[1]?.trim() ?? fromAddress.trim();
  return mailbox.test(address) ? address : undefined;
}

/** SES sends from an address when the identity is that address, its domain, or a parent of the domain. */
function identityCovers(identity: string, address: string): boolean {
  const name = identity.toLowerCase();
  const lowered = address.toLowerCase();
  if (name === lowered) return true;
  const domain = lowered.slice(lowered.lastIndexOf("@") + 1);
  return domain === name || domain.endsWith(`.${name}`);
}

export const emailChannel: ChannelKind<EmailChannelRequest> = {
  members: ["ConfigurationSet", "Enabled", "FromAddress", "Identity", "RoleArn", "OrchestrationSendingRoleArn"],
  hasCredential: false,
  settle(merged) {
    const address = fromMailbox(requireText(merged.FromAddress, "FromAddress"));
    if (!address) throw badRequest("FromAddress must be an email address, like sender@example.com");
    const identity = identityArn.exec(requireText(merged.Identity, "Identity"))?.[1];
    if (!identity) {
      throw badRequest(
        "Identity must be the ARN of an SES identity, like arn:aws:ses:us-east-1:123456789012:identity/example.com",
      );
    }
    if (!identityCovers(identity, address)) {
      throw badRequest(`FromAddress ${address} is not covered by the identity ${identity}`);
    }
    for (const name of ["RoleArn", "OrchestrationSendingRoleArn"] as const) {
      const value = merged[name];
      if (value !== undefined && !roleArn.test(value)) throw badRequest(`${name} must be the ARN of an IAM role`);
    }
    if (merged.ConfigurationSet !== undefined) requireText(merged.ConfigurationSet, "ConfigurationSet");
    return merged;
  },
  describe: (settings) => ({
    FromAddress: settings.FromAddress,
    Identity: settings.Identity,
    ConfigurationSet: settings.ConfigurationSet,
    RoleArn: settings.RoleArn,
    OrchestrationSendingRoleArn: settings.OrchestrationSendingRoleArn,
    MessagesPerSecond: defaultMessagesPerSecond,
  }),
};
