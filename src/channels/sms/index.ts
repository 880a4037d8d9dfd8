/**
 * The SMS channel, both ways: sending through a Twilio-compatible API or SMPP
 * (config.providers.sms), delivery receipts, inbound messages and keywords. The registry uses
 * `smsProvider`; track/sms-webhooks.ts takes Twilio's callbacks and starts the SMPP listener.
 */
import type { FastifyBaseLogger as Logger } from "fastify";
import type { Services } from "../../services.js";
import type { ProviderFactory } from "../registry.js";
import { SmppProvider } from "./smpp.js";
import { DeliverSmHandler } from "./smpp-deliver.js";
import { SmppLink } from "./smpp-link.js";
import { TwilioProvider } from "./twilio.js";

export { receiveSms } from "./inbound.js";
export { recordDeliveryReceipt } from "./receipts.js";
export { twilioInboundPath, twilioInboundSms, twilioReceipt, twilioStatusPath } from "./twilio-callbacks.js";
export { verifyTwilioSignature } from "./twilio-signature.js";

/** One SMPP link per Waymark process (per Services), shared by every app's provider and the listener. */
const links = new WeakMap<Services, SmppLink>();

function smppLinkFor(services: Services): SmppLink | undefined {
  const config = services.config.providers.sms;
  if (config?.type !== "smpp") return undefined;
  let link = links.get(services);
  if (!link) {
    const handler = new DeliverSmHandler(services);
    link = new SmppLink(config, (pdu, logger) => handler.handle(pdu, logger));
    links.set(services, link);
  }
  return link;
}

/**
 * Binds the SMPP link at start-up so inbound messages and receipts arrive even before anything is
 * sent; answers the call that lets it go at shutdown, or undefined when SMS is not over SMPP.
 */
export function listenForSmpp(services: Services, logger: Logger): (() => Promise<void>) | undefined {
  const link = smppLinkFor(services);
  if (!link) return undefined;
  link.logger = logger;
  link.acquire();
  return () => link.release();
}

/**
 * The registry's factory: Twilio or SMPP as config.providers.sms says, else the sandbox. Messages
 * that name no OriginationNumber or SenderId go out from the SMS channel's ShortCode or SenderId.
 */
export const smsProvider: ProviderFactory = ({ services, appId, settings }) => {
  const config = services.config.providers.sms;
  const shortCode = typeof settings?.ShortCode === "string" ? settings.ShortCode : undefined;
  const senderId = typeof settings?.SenderId === "string" ? settings.SenderId : undefined;
  const defaultFrom = shortCode ?? senderId;
  if (config?.type === "twilio") return new TwilioProvider(services, appId, config, defaultFrom);
  const link = smppLinkFor(services);
  return link ? new SmppProvider(services, appId, link, defaultFrom) : undefined;
};
