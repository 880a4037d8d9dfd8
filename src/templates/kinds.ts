/**
 * What differs between the five template types, in one shape: which request members make up a
 * version's content, Pinpoint's rules for that content, and which parts may hold message
 * variables (so saving compiles them and sending renders them the same way).
 */
import { badRequest } from "../api/errors.js";
import {
  type ContentByType,
  type EmailContent,
  type InAppContent,
  type PushContent,
  type SmsContent,
  type TemplateType,
  templateLimits,
  type VoiceContent,
} from "./model.js";

/** Maps one part's source: `name` says which part (for errors), `html` whether it is HTML. */
export type PartMapper = (source: string, name: string, html: boolean) => string;

export interface TemplateKind<T extends TemplateType> {
  /** The request members that are the version's content; tags, description and defaults are kept beside it. */
  readonly contentMembers: readonly (keyof ContentByType[T] & string)[];
  /** Throws Pinpoint's 400 naming the first problem with the content. Pure. */
  check(content: ContentByType[T]): void;
  /** The content with each part that may hold message variables mapped; other fields as they are. */
  mapParts(content: ContentByType[T], map: PartMapper): ContentByType[T];
}

function mapText(value: string | undefined, name: string, map: PartMapper, html = false): string | undefined {
  return value === undefined ? undefined : map(value, name, html);
}

const email: TemplateKind<"EMAIL"> = {
  contentMembers: ["Subject", "HtmlPart", "TextPart", "Headers"],
  check(content: EmailContent) {
    const headers = content.Headers ?? [];
    if (headers.length > templateLimits.emailHeaders) {
      throw badRequest(`An email template can have at most ${templateLimits.emailHeaders} Headers`);
    }
    for (const header of headers) {
      if (!header.Name?.trim()) throw badRequest("Each email header needs a Name");
    }
  },
  mapParts(content, map) {
    return {
      ...content,
      Subject: mapText(content.Subject, "Subject", map),
      HtmlPart: mapText(content.HtmlPart, "HtmlPart", map, true),
      TextPart: mapText(content.TextPart, "TextPart", map),
      Headers: content.Headers?.map((header) => ({
        ...header,
        Value: mapText(header.Value, `header ${header.Name}`, map),
      })),
    };
  },
};

const sms: TemplateKind<"SMS"> = {
  contentMembers: ["Body"],
  check() {},
  mapParts: (content: SmsContent, map) => ({ ...content, Body: mapText(content.Body, "Body", map) }),
};

const voice: TemplateKind<"VOICE"> = {
  contentMembers: ["Body", "LanguageCode", "VoiceId"],
  check() {},
  mapParts: (content: VoiceContent, map) => ({ ...content, Body: mapText(content.Body, "Body", map) }),
};

const pushServices = ["ADM", "APNS", "Baidu", "Default", "GCM"] as const;
const pushActions = new Set(["OPEN_APP", "DEEP_LINK", "URL"]);

const push: TemplateKind<"PUSH"> = {
  contentMembers: [...pushServices],
  check(content: PushContent) {
    for (const service of pushServices) {
      const action = content[service]?.Action;
      if (action !== undefined && !pushActions.has(action)) {
        throw badRequest(`${service}.Action must be OPEN_APP, DEEP_LINK or URL`);
      }
    }
  },
  mapParts(content, map) {
    const mapped: PushContent = { ...content };
    for (const service of pushServices) {
      const message = content[service];
      if (!message) continue;
      // Every text of a notification may be personalised; the action is one of three words.
      const parts = Object.entries(message).map(([field, value]) =>
        field !== "Action" && typeof value === "string"
          ? [field, map(value, `${service}.${field}`, false)]
          : [field, value],
      );
      Object.assign(mapped, { [service]: Object.fromEntries(parts) });
    }
    return mapped;
  },
};

const layouts = new Set(["BOTTOM_BANNER", "TOP_BANNER", "OVERLAYS", "MOBILE_FEED", "MIDDLE_BANNER", "CAROUSEL"]);

const inApp: TemplateKind<"INAPP"> = {
  contentMembers: ["Content", "CustomConfig", "Layout"],
  check(content: InAppContent) {
    if ((content.Content?.length ?? 0) > templateLimits.inAppMessages) {
      throw badRequest(`An in-app template can hold at most ${templateLimits.inAppMessages} messages in Content`);
    }
    if (content.Layout !== undefined && !layouts.has(content.Layout)) {
      throw badRequest(`Layout must be one of ${[...layouts].join(", ")}`);
    }
  },
  // Pinpoint's in-app templates take no message variables: their content is shown as written.
  mapParts: (content) => content,
};

export const templateKinds: { [T in TemplateType]: TemplateKind<T> } = {
  EMAIL: email,
  SMS: sms,
  PUSH: push,
  VOICE: voice,
  INAPP: inApp,
};

/**
 * Only the content members of a request or stored row, without undefined ones.
 * @example pickContent("SMS", { Body: "Hi", tags: {} }) // { Body: "Hi" }
 */
export function pickContent<T extends TemplateType>(type: T, source: object): ContentByType[T] {
  const picked: Record<string, unknown> = {};
  for (const name of templateKinds[type].contentMembers) {
    const value = (source as Record<string, unknown>)[name];
    if (value !== undefined && value !== null) picked[name] = value;
  }
  return picked as ContentByType[T];
}
