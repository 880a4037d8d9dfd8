/**
 * Builds the message one recipient gets from a SendMessages request: the channel's own message
 * configuration, else the Default ones, with the recipient's overrides laid over it and message
 * variables rendered. Pure: the caller looks up endpoints and channel settings.
 */
import type { AddressConfiguration, DirectMessageConfiguration } from "@aws-sdk/client-pinpoint";
import type { DeliveryChannel, MessageContent } from "./model.js";

/** Renders `{{Attributes.X}}`-style variables in one text; the templates module provides it. */
export type Render = (text: string, html: boolean) => string;

export interface Recipient {
  channel: DeliveryChannel;
  address: string;
  overrides: Pick<AddressConfiguration, "BodyOverride" | "TitleOverride" | "RawContent">;
}

export type Composed = { content: MessageContent } | { error: string };

const pushChannels = new Set<DeliveryChannel>([
  "GCM",
  "APNS",
  "APNS_SANDBOX",
  "APNS_VOIP",
  "APNS_VOIP_SANDBOX",
  "BAIDU",
  "ADM",
]);

export function composeMessage(
  configuration: DirectMessageConfiguration,
  recipient: Recipient,
  render: Render,
  channelDefaults: { fromAddress?: string; senderId?: string },
): Composed {
  const { channel, overrides } = recipient;
  const defaultBody = configuration.DefaultMessage?.Body;
  if (channel === "EMAIL") {
    const email = configuration.EmailMessage;
    const simple = email?.SimpleEmail;
    const fromAddress = email?.FromAddress ?? channelDefaults.fromAddress;
    if (!fromAddress) return { error: "No FromAddress: set one on the message or on the app's email channel" };
    if (email?.RawEmail?.Data) {
      return {
        content: {
          kind: "email",
          fromAddress,
          subject: "",
          raw: Buffer.from(email.RawEmail.Data).toString("utf8"),
          headers: [],
        },
      };
    }
    const subject = overrides.TitleOverride ?? simple?.Subject?.Data ?? "";
    const html = simple?.HtmlPart?.Data;
    const text = overrides.BodyOverride ?? simple?.TextPart?.Data ?? email?.Body ?? defaultBody;
    if (!html && !text) return { error: "The email has no body: give SimpleEmail.HtmlPart, TextPart or Body" };
    return {
      content: {
        kind: "email",
        fromAddress,
        subject: render(subject, false),
        htmlBody: html === undefined ? undefined : render(html, true),
        textBody: text === undefined ? undefined : render(text, false),
        headers: (simple?.Headers ?? []).map((h) => ({ name: h.Name ?? "", value: render(h.Value ?? "", false) })),
        replyTo: email?.ReplyToAddresses,
      },
    };
  }
  if (channel === "SMS") {
    const sms = configuration.SMSMessage;
    const body = overrides.BodyOverride ?? sms?.Body ?? defaultBody;
    if (!body) return { error: "The SMS has no Body" };
    const rendered = render(body, false);
    if (rendered.length > 1600) return { error: "The SMS body is longer than 1,600 characters" };
    return {
      content: {
        kind: "sms",
        body: rendered,
        messageType: sms?.MessageType ?? "TRANSACTIONAL",
        originationNumber: sms?.OriginationNumber,
        senderId: sms?.SenderId ?? channelDefaults.senderId,
        keyword: sms?.Keyword,
      },
    };
  }
  if (channel === "VOICE") {
    const voice = configuration.VoiceMessage;
    const body = overrides.BodyOverride ?? voice?.Body ?? defaultBody;
    if (!body) return { error: "The voice message has no Body" };
    const rendered = render(body, false);
    return {
      content: {
        kind: "voice",
        body: rendered,
        isSsml: rendered.trimStart().startsWith("<speak"),
        languageCode: voice?.LanguageCode,
        voiceId: voice?.VoiceId,
        originationNumber: voice?.OriginationNumber,
      },
    };
  }
  if (pushChannels.has(channel)) {
    const specific =
      channel === "GCM"
        ? configuration.GCMMessage
        : channel === "BAIDU"
          ? configuration.BaiduMessage
          : channel === "ADM"
            ? configuration.ADMMessage
            : configuration.APNSMessage;
    const fallback = configuration.DefaultPushNotificationMessage;
    const platform: { ImageUrl?: string; MediaUrl?: string; Priority?: string; TimeToLive?: number } = specific ?? {};
    const title = overrides.TitleOverride ?? specific?.Title ?? fallback?.Title;
    const body = overrides.BodyOverride ?? specific?.Body ?? fallback?.Body ?? defaultBody;
    const raw = overrides.RawContent ?? specific?.RawContent;
    const silent = specific?.SilentPush ?? fallback?.SilentPush ?? false;
    if (!raw && !silent && !title && !body) return { error: "The push notification has no Title, Body or RawContent" };
    return {
      content: {
        kind: "push",
        title: title === undefined ? undefined : render(title, false),
        body: body === undefined ? undefined : render(body, false),
        action: specific?.Action ?? fallback?.Action,
        url: specific?.Url ?? fallback?.Url,
        data: { ...(fallback?.Data ?? {}), ...(specific?.Data ?? {}) },
        silent,
        sound: specific?.Sound,
        // Android messages call the picture ImageUrl, APNs messages MediaUrl.
        imageUrl: platform.ImageUrl ?? platform.MediaUrl,
        priority: platform.Priority,
        timeToLive: platform.TimeToLive,
        raw,
      },
    };
  }
  return { error: `Channel ${channel} cannot be used with SendMessages` };
}

const emailAddress = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const e164 = /^\+[1-9]\d{6,14}$/;

/** Whether an address can be sent to on the channel, as Pinpoint checks before sending. */
export function checkAddress(channel: DeliveryChannel, address: string): string | undefined {
  if (channel === "EMAIL" && !emailAddress.test(address)) return `${address} is not a valid email address`;
  if ((channel === "SMS" || channel === "VOICE") && !e164.test(address)) {
    return `${address} is not a phone number in E.164 form (like +14155550100)`;
  }
  if (address.length === 0) return "The address is empty";
  return undefined;
}
