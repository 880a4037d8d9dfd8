/**
 * What a message activity sends, worked out once per batch: its template (TemplateName,
 * TemplateVersion, else the active version) with its MessageConfig laid over it, as the
 * DirectMessageConfiguration SendMessages composes from; then composed for each participant with
 * its endpoint and trigger event as message variables ({{Attributes.X}}, {{Event.Attributes.X}}).
 */
import type { Activity, DirectMessageConfiguration, TemplateConfiguration } from "@aws-sdk/client-pinpoint";
import type { Endpoint } from "../../endpoints/index.js";
import { type ChannelDefaults, channelDefaults } from "../../messages/channel-defaults.js";
import { type Composed, checkAddress, composeMessage } from "../../messages/compose.js";
import type { DeliveryChannel, MessageContent } from "../../messages/model.js";
import { applyTemplates } from "../../messages/template-configuration.js";
import type { Services } from "../../services.js";
import { renderText } from "../../templates/index.js";
import { messageChannel, type TriggerEvent } from "../model.js";

const pushChannels = new Set(["GCM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "BAIDU", "ADM"]);

/** A message activity ready to compose, or why it cannot send (a missing template). */
export type MessagePlan =
  | {
      channel: "EMAIL" | "SMS" | "PUSH" | "CUSTOM";
      configuration: DirectMessageConfiguration;
      defaultSubstitutions: string | undefined;
      /** The app's channel settings a message falls back on (FromAddress, SenderId). */
      channelDefaults: ChannelDefaults;
    }
  | { error: string };

/**
 * The plan of one message activity; `services` reads in the batch's transaction.
 * @example const plan = await planMessageActivity(batch.inTransaction, appId, activity);
 */
export async function planMessageActivity(services: Services, appId: string, activity: Activity): Promise<MessagePlan> {
  const channel = messageChannel(activity);
  if (!channel) return { error: "Not a message activity" };
  const defaults = await channelDefaults(services, appId);
  if (channel === "CUSTOM") {
    return { channel, configuration: {}, defaultSubstitutions: undefined, channelDefaults: defaults };
  }
  const { configuration, templates } = messageConfiguration(activity);
  try {
    const templated = await applyTemplates(services, templates, configuration);
    const family = channel === "PUSH" ? "PUSH" : channel;
    return {
      channel,
      configuration: templated.configuration,
      defaultSubstitutions: templated.defaults[family],
      channelDefaults: defaults,
    };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** The activity's MessageConfig as SendMessages' configuration, and the template it names. */
function messageConfiguration(activity: Activity): {
  configuration: DirectMessageConfiguration;
  templates: TemplateConfiguration;
} {
  const defined = <T extends object>(value: T): T =>
    Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
  if (activity.EMAIL) {
    const { MessageConfig, TemplateName, TemplateVersion } = activity.EMAIL;
    return {
      configuration: { EmailMessage: defined({ FromAddress: MessageConfig?.FromAddress }) },
      templates: { EmailTemplate: { Name: TemplateName, Version: TemplateVersion } },
    };
  }
  if (activity.SMS) {
    const { MessageConfig, TemplateName, TemplateVersion } = activity.SMS;
    return {
      configuration: {
        SMSMessage: defined({
          MessageType: MessageConfig?.MessageType,
          OriginationNumber: MessageConfig?.OriginationNumber,
          SenderId: MessageConfig?.SenderId,
          EntityId: MessageConfig?.EntityId,
          TemplateId: MessageConfig?.TemplateId,
        }),
      },
      templates: { SMSTemplate: { Name: TemplateName, Version: TemplateVersion } },
    };
  }
  const push = activity.PUSH;
  const timeToLive = push?.MessageConfig?.TimeToLive === undefined ? undefined : Number(push.MessageConfig.TimeToLive);
  const configuration: DirectMessageConfiguration = {};
  if (timeToLive !== undefined && Number.isFinite(timeToLive)) {
    configuration.GCMMessage = { TimeToLive: timeToLive };
    configuration.APNSMessage = { TimeToLive: timeToLive };
  }
  return { configuration, templates: { PushTemplate: { Name: push?.TemplateName, Version: push?.TemplateVersion } } };
}

/**
 * The channel a message activity reaches an endpoint of this ChannelType on, or undefined when the
 * endpoint is on another channel: EMAIL and SMS their own, PUSH any push channel, CUSTOM those in
 * its EndpointTypes (all when it lists none).
 * @example deliveryChannel(activity, endpoint.ChannelType) // "APNS"
 */
export function deliveryChannel(
  activity: Activity,
  channelType: string | null | undefined,
): DeliveryChannel | undefined {
  const type = channelType ?? "";
  const channel = messageChannel(activity);
  if (channel === "EMAIL" || channel === "SMS") return type === channel ? channel : undefined;
  if (channel === "PUSH") return pushChannels.has(type) ? (type as DeliveryChannel) : undefined;
  const types = activity.CUSTOM?.EndpointTypes;
  return !types || types.length === 0 || types.includes(type as never) ? "CUSTOM" : undefined;
}

/**
 * The endpoint ChannelTypes a message activity sends on; empty for a CUSTOM activity that lists
 * no EndpointTypes (it takes every endpoint as it is).
 * @example channelTypesOf({ PUSH: {} }) // ["GCM", "APNS", ..., "ADM"]
 */
export function channelTypesOf(activity: Activity): string[] {
  const channel = messageChannel(activity);
  if (channel === "EMAIL" || channel === "SMS") return [channel];
  if (channel === "PUSH") return [...pushChannels];
  return [...(activity.CUSTOM?.EndpointTypes ?? [])];
}

/**
 * The message one participant gets, or why it cannot be composed (a template that fails to
 * render, an address the channel cannot take).
 * @example composeFor(plan, activity, "EMAIL", endpoint, participant.event)
 */
export function composeFor(
  plan: Exclude<MessagePlan, { error: string }>,
  activity: Activity,
  channel: DeliveryChannel,
  endpoint: Endpoint,
  event: TriggerEvent | undefined,
): Composed {
  const address = endpoint.Address ?? endpoint.Id;
  if (channel === "CUSTOM") {
    const content: MessageContent = {
      kind: "custom",
      deliveryUri: activity.CUSTOM?.DeliveryUri ?? "",
      data: activity.CUSTOM?.MessageConfig?.Data,
    };
    return { content };
  }
  const addressError = checkAddress(channel, address);
  if (addressError) return { error: addressError };
  try {
    return composeMessage(
      plan.configuration,
      { channel, address, overrides: {} },
      (text, html) => renderText(text, { endpoint, event }, { html, defaultSubstitutions: plan.defaultSubstitutions }),
      plan.channelDefaults,
    );
  } catch (error) {
    return { error: `The message could not be rendered: ${error instanceof Error ? error.message : String(error)}` };
  }
}
