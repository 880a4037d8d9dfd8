/**
 * Message templates: Pinpoint's account-wide Email, SMS, Push, Voice and In-app templates with
 * their versions, and rendering them for a recipient.
 */
export type { ContentByType, Template, TemplateParts, TemplateType } from "./model.js";
export { checkTemplateParts, renderTemplate, renderText } from "./render.js";
export type { EndpointVariables, EventVariables, MessageVariables } from "./variables.js";
