/**
 * Message templates as Pinpoint has them: account-wide (not per app), keyed by name and type,
 * each a series of numbered versions of which one is active.
 */
import type {
  AndroidPushNotificationTemplate,
  APNSPushNotificationTemplate,
  DefaultPushNotificationTemplate,
  InAppMessageContent,
  Layout,
  MessageHeader,
} from "@aws-sdk/client-pinpoint";
import { badRequest } from "../api/errors.js";

export const templateTypes = ["EMAIL", "SMS", "PUSH", "VOICE", "INAPP"] as const;
export type TemplateType = (typeof templateTypes)[number];

export interface EmailContent {
  Subject?: string;
  HtmlPart?: string;
  TextPart?: string;
  Headers?: MessageHeader[];
}

export interface SmsContent {
  Body?: string;
}

export interface PushContent {
  ADM?: AndroidPushNotificationTemplate;
  APNS?: APNSPushNotificationTemplate;
  Baidu?: AndroidPushNotificationTemplate;
  Default?: DefaultPushNotificationTemplate;
  GCM?: AndroidPushNotificationTemplate;
}

export interface VoiceContent {
  Body?: string;
  LanguageCode?: string;
  VoiceId?: string;
}

export interface InAppContent {
  Content?: InAppMessageContent[];
  CustomConfig?: Record<string, string>;
  Layout?: Layout;
}

/** The channel content of one version, by template type. */
export interface ContentByType {
  EMAIL: EmailContent;
  SMS: SmsContent;
  PUSH: PushContent;
  VOICE: VoiceContent;
  INAPP: InAppContent;
}

/** What rendering needs: the content and the defaults for its variables. */
export interface TemplateParts<T extends TemplateType = TemplateType> {
  TemplateType: T;
  /** A JSON object of variable name → default value, used where the recipient has no value. */
  DefaultSubstitutions?: string;
  content: ContentByType[T];
}

/** One version of a template, as sending uses it. */
export interface Template<T extends TemplateType = TemplateType> extends TemplateParts<T> {
  TemplateName: string;
  Version: string;
  TemplateDescription?: string;
  RecommenderId?: string;
}

/** Pinpoint's limits on templates (API reference and user guide, "Managing versions"). */
export const templateLimits = {
  nameLength: 128,
  versionsPerTemplate: 5000,
  emailHeaders: 15,
  inAppMessages: 5,
} as const;

/**
 * Throws Pinpoint's 400 unless the name starts with a letter or digit and holds at most 128
 * letters, digits, underscores and hyphens. Names are case sensitive.
 * @example checkTemplateName("Welcome_v2")
 */
export function checkTemplateName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name) || name.length > templateLimits.nameLength) {
    throw badRequest(
      `Invalid template name "${name}": it must start with a letter or digit and hold at most 128 letters, digits, underscores (_) and hyphens (-)`,
    );
  }
}

/**
 * The template type a path or query names: EMAIL, SMS, PUSH, VOICE or INAPP, in any case.
 * @example readTemplateType("email") // "EMAIL"
 */
export function readTemplateType(value: string): TemplateType {
  const type = value.toUpperCase();
  if (!(templateTypes as readonly string[]).includes(type)) {
    throw badRequest(`Invalid template type "${value}": use EMAIL, SMS, PUSH, VOICE or INAPP`);
  }
  return type as TemplateType;
}

/**
 * A version identifier as the API takes it (`version=3`), or undefined when none is given.
 * @example readVersion("3") // 3
 */
export function readVersion(value: unknown): number | undefined {
  if (value === undefined || value === "") return undefined;
  const version = Number(value);
  if (!/^[0-9]+$/.test(String(value)) || !Number.isSafeInteger(version) || version < 1) {
    throw badRequest(`Invalid template version "${String(value)}": versions are whole numbers from 1`);
  }
  return version;
}
