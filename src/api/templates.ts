/**
 * Message templates: Create/Get/Update/Delete for each of the five template types, ListTemplates,
 * ListTemplateVersions and UpdateTemplateActiveVersion. The types' operations differ only in their
 * name, the template type and the request member, listed here.
 */
import type { TemplateActiveVersionRequest } from "@aws-sdk/client-pinpoint";
import { readPage } from "../paging.js";
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  listTemplateVersions,
  readTemplateType,
  readVersion,
  type TemplateRequest,
  type TemplateType,
  updateActiveVersion,
  updateTemplate,
} from "../templates/index.js";
import { type Handlers, member } from "./handler.js";

/** Operation name part, template type and the Create/Update operations' request member, per type. */
const templateOperations: Array<[name: string, type: TemplateType, requestMember: string]> = [
  ["Email", "EMAIL", "EmailTemplateRequest"],
  ["Sms", "SMS", "SMSTemplateRequest"],
  ["Push", "PUSH", "PushNotificationTemplateRequest"],
  ["Voice", "VOICE", "VoiceTemplateRequest"],
  ["InApp", "INAPP", "InAppTemplateRequest"],
];

function handlersFor([name, type, requestMember]: (typeof templateOperations)[number]): Handlers {
  return {
    [`Create${name}Template`]: (input, { services, requestId }) =>
      createTemplate(
        services,
        type,
        member(input, "TemplateName"),
        member<TemplateRequest>(input, requestMember),
        requestId,
      ),
    [`Get${name}Template`]: (input, { services }) =>
      getTemplate(services, type, member(input, "TemplateName"), readVersion(input.Version)),
    [`Update${name}Template`]: (input, { services, requestId }) =>
      updateTemplate(
        services,
        type,
        member(input, "TemplateName"),
        member<TemplateRequest>(input, requestMember),
        {
          createNewVersion: member<boolean | undefined>(input, "CreateNewVersion"),
          version: readVersion(input.Version),
        },
        requestId,
      ),
    [`Delete${name}Template`]: (input, { services, requestId }) =>
      deleteTemplate(services, type, member(input, "TemplateName"), readVersion(input.Version), requestId),
  };
}

export const templateHandlers: Handlers = {
  ...Object.fromEntries(templateOperations.flatMap((operation) => Object.entries(handlersFor(operation)))),
  ListTemplates: (input, { services }) =>
    listTemplates(
      services,
      {
        prefix: member<string | undefined>(input, "Prefix"),
        type: input.TemplateType ? readTemplateType(member(input, "TemplateType")) : undefined,
      },
      readPage(input.PageSize, input.NextToken),
    ),
  ListTemplateVersions: (input, { services, requestId }) =>
    listTemplateVersions(
      services,
      readTemplateType(member(input, "TemplateType")),
      member(input, "TemplateName"),
      readPage(input.PageSize, input.NextToken),
      requestId,
    ),
  UpdateTemplateActiveVersion: (input, { services, requestId }) =>
    updateActiveVersion(
      services,
      readTemplateType(member(input, "TemplateType")),
      member(input, "TemplateName"),
      member<TemplateActiveVersionRequest | undefined>(input, "TemplateActiveVersionRequest")?.Version,
      requestId,
    ),
};
