/**
 * A Create or Update request for any template type, checked as Pinpoint would and turned into the
 * version to store. Everything is checked (content rules, every part compiled, defaults parsed)
 * before anything is written, so a bad request changes nothing.
 */
import type { Insertable } from "kysely";
import { badRequest } from "../api/errors.js";
import { toJson } from "../store/index.js";
import type { TemplateVersionsTable } from "../store/schema.js";
import { pickContent, templateKinds } from "./kinds.js";
import type { TemplateType } from "./model.js";
import { checkTemplateParts } from "./render.js";

/** The members every template request may carry beside its channel content. */
export interface TemplateRequest {
  DefaultSubstitutions?: string;
  TemplateDescription?: string;
  RecommenderId?: string;
  tags?: Record<string, string>;
}

/** A version's stored fields, less its identity (name, type, number) and dates. */
export type VersionFields = Pick<
  Insertable<TemplateVersionsTable>,
  "content" | "default_substitutions" | "description" | "recommender_id"
>;

function optionalText(value: unknown, member: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw badRequest(`${member} must be a string`);
  return value;
}

/**
 * The version a request describes. Throws Pinpoint's 400 naming the first problem.
 * @example readTemplateRequest("SMS", { Body: "Hi {{User.UserAttributes.FirstName}}" })
 */
export function readTemplateRequest(type: TemplateType, request: TemplateRequest | undefined): VersionFields {
  if (!request || typeof request !== "object") throw badRequest("The template request body is required");
  const content = pickContent(type, request);
  templateKinds[type].check(content);
  const defaultSubstitutions = optionalText(request.DefaultSubstitutions, "DefaultSubstitutions");
  checkTemplateParts({ TemplateType: type, DefaultSubstitutions: defaultSubstitutions ?? undefined, content });
  return {
    content: toJson(content),
    default_substitutions: defaultSubstitutions,
    description: optionalText(request.TemplateDescription, "TemplateDescription"),
    recommender_id: optionalText(request.RecommenderId, "RecommenderId"),
  };
}
