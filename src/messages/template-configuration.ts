/**
 * A SendMessages request that names templates (TemplateConfiguration): each channel's template is
 * the base of that channel's message configuration, and whatever the request's
 * MessageConfiguration gives on top wins, as in Pinpoint. Rendering happens later, once per
 * recipient, with the template's DefaultSubstitutions.
 */
import type { DirectMessageConfiguration, TemplateConfiguration } from "@aws-sdk/client-pinpoint";
import { badRequest } from "../api/errors.js";
import type { Services } from "../services.js";
import { getActiveTemplate, type Template, type TemplateType } from "../templates/index.js";

export interface TemplatedConfiguration {
  configuration: DirectMessageConfiguration;
  /** DefaultSubstitutions of the templates used, by the channel family they apply to. */
  defaults: Partial<Record<"EMAIL" | "SMS" | "VOICE" | "PUSH", string>>;
}

async function load<T extends TemplateType>(
  services: Services,
  type: T,
  reference: { Name?: string; Version?: string } | undefined,
): Promise<Template<T> | undefined> {
  if (!reference?.Name) return undefined;
  const version = reference.Version === undefined ? undefined : Number(reference.Version);
  if (version !== undefined && !Number.isInteger(version))
    throw badRequest(`Template version ${reference.Version} is not a number`);
  return getActiveTemplate(services, reference.Name, type, version);
}

export async function applyTemplates(
  services: Services,
  templates: TemplateConfiguration | undefined,
  configuration: DirectMessageConfiguration,
): Promise<TemplatedConfiguration> {
  const [email, sms, voice, push] = await Promise.all([
    load(services, "EMAIL", templates?.EmailTemplate),
    load(services, "SMS", templates?.SMSTemplate),
    load(services, "VOICE", templates?.VoiceTemplate),
    load(services, "PUSH", templates?.PushTemplate),
  ]);
  const merged: DirectMessageConfiguration = { ...configuration };
  if (email) {
    const simple = configuration.EmailMessage?.SimpleEmail;
    const data = (value: string | undefined) => (value === undefined ? undefined : { Data: value });
    merged.EmailMessage = {
      ...configuration.EmailMessage,
      SimpleEmail: {
        Subject: simple?.Subject ?? data(email.content.Subject),
        HtmlPart: simple?.HtmlPart ?? data(email.content.HtmlPart),
        TextPart: simple?.TextPart ?? data(email.content.TextPart),
        Headers: simple?.Headers ?? email.content.Headers,
      },
    };
  }
  if (sms) merged.SMSMessage = { Body: sms.content.Body, ...configuration.SMSMessage };
  if (voice) {
    merged.VoiceMessage = {
      Body: voice.content.Body,
      LanguageCode: voice.content.LanguageCode,
      VoiceId: voice.content.VoiceId,
      ...configuration.VoiceMessage,
    };
  }
  if (push) {
    const { Default, GCM, APNS, ADM, Baidu } = push.content;
    merged.DefaultPushNotificationMessage = { ...Default, ...configuration.DefaultPushNotificationMessage };
    if (GCM) merged.GCMMessage = { ...GCM, ...configuration.GCMMessage };
    if (APNS) merged.APNSMessage = { ...APNS, ...configuration.APNSMessage };
    if (ADM) merged.ADMMessage = { ...ADM, ...configuration.ADMMessage };
    if (Baidu) merged.BaiduMessage = { ...Baidu, ...configuration.BaiduMessage };
  }
  return {
    configuration: merged,
    defaults: {
      EMAIL: email?.DefaultSubstitutions,
      SMS: sms?.DefaultSubstitutions,
      VOICE: voice?.DefaultSubstitutions,
      PUSH: push?.DefaultSubstitutions,
    },
  };
}
