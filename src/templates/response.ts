/**
 * Stored rows as the API shows them and as sending uses them.
 */
import type { Selectable } from "kysely";
import type { Config } from "../config.js";
import { fromJson } from "../store/index.js";
import type { TemplatesTable, TemplateVersionsTable } from "../store/schema.js";
import { templateArn } from "./arn.js";
import type { ContentByType, Template, TemplateType } from "./model.js";

export type TemplateRow = Selectable<TemplatesTable>;
export type VersionRow = Selectable<TemplateVersionsTable>;

/** One version as sending uses it. */
export function toTemplate<T extends TemplateType>(type: T, version: VersionRow): Template<T> {
  return {
    TemplateName: version.name,
    TemplateType: type,
    Version: String(version.version),
    DefaultSubstitutions: version.default_substitutions ?? undefined,
    TemplateDescription: version.description ?? undefined,
    RecommenderId: version.recommender_id ?? undefined,
    content: fromJson<ContentByType[T]>(version.content),
  };
}

/**
 * GetEmailTemplate, GetSmsTemplate...: one version with the template's ARN, dates and tags. The
 * API projects it onto each type's response shape, which drops what that type does not have.
 */
export function templateResponse(
  config: Pick<Config, "region" | "accountId">,
  template: TemplateRow,
  version: VersionRow,
) {
  const type = template.type as TemplateType;
  const { content, ...fields } = toTemplate(type, version);
  return {
    ...content,
    ...fields,
    Arn: templateArn(config, template.name, type),
    CreationDate: template.creation_date,
    LastModifiedDate: version.last_modified_date,
    tags: fromJson<Record<string, string>>(template.tags),
  };
}

/** One item of ListTemplateVersions. */
export function versionResponse(version: VersionRow) {
  return {
    TemplateName: version.name,
    TemplateType: version.type,
    Version: String(version.version),
    CreationDate: version.creation_date,
    LastModifiedDate: version.last_modified_date,
    DefaultSubstitutions: version.default_substitutions ?? undefined,
    TemplateDescription: version.description ?? undefined,
  };
}

/** One item of ListTemplates: Pinpoint leaves out the ARN, defaults, description and tags there. */
export function listedTemplateResponse(template: TemplateRow) {
  return {
    TemplateName: template.name,
    TemplateType: template.type,
    Version: String(template.active_version),
    CreationDate: template.creation_date,
    LastModifiedDate: template.last_modified_date,
  };
}
