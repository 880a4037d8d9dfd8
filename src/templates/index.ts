/**
 * Message templates: Pinpoint's account-wide Email, SMS, Push, Voice and In-app templates with
 * their versions, and rendering them for a recipient.
 */
export { parseTemplateArn, templateArn } from "./arn.js";
export { listTemplates, type TemplateFilter } from "./list.js";
export {
  type ContentByType,
  readTemplateType,
  readVersion,
  type Template,
  type TemplateParts,
  type TemplateType,
} from "./model.js";
export { checkTemplateParts, recipientRenderer, renderTemplate, renderText } from "./render.js";
export type { TemplateRequest } from "./request.js";
export { createTemplate, type UpdateOptions, updateTemplate } from "./save.js";
export type { EndpointVariables, EventVariables, MessageVariables } from "./variables.js";
export {
  deleteTemplate,
  getActiveTemplate,
  getTemplate,
  listTemplateVersions,
  updateActiveVersion,
} from "./versions.js";
