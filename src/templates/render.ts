/**
 * Rendering: a template's parts (or one text of a direct message) with one recipient's message
 * variables. Pure: the caller reads the template and the endpoint.
 */
import { badRequest } from "../api/errors.js";
import { checkPart, compiledPart } from "./compile.js";
import { templateKinds } from "./kinds.js";
import type { ContentByType, TemplateParts, TemplateType } from "./model.js";
import { type MessageVariables, messageContext, parseDefaultSubstitutions } from "./variables.js";

/**
 * One part rendered. Text without a mustache is what Handlebars would give back, and is returned
 * as it is: each Handlebars call wraps every registered helper anew, and a static part (a text
 * body, a header) took ~4 µs to come back unchanged, now ~0.05 µs. The context is asked for only
 * when needed.
 */
function renderPart(source: string, part: string, html: boolean, context: () => Record<string, unknown>): string {
  if (!source.includes("{{") && !source.includes("\0")) return source;
  const compiled = compiledPart(source, part, html);
  try {
    return compiled(context());
  } catch (error) {
    // A helper given the wrong arguments (`{{#if}}` with none) only fails here.
    throw badRequest(`The template's ${part} could not be rendered: ${(error as Error).message}`);
  }
}

/**
 * The template's content as one recipient gets it: every part that may hold message variables
 * rendered, HTML escaped in HtmlPart only. Throws Pinpoint's 400 naming the part that fails.
 * @example
 * renderTemplate(
 *   { TemplateType: "SMS", content: { Body: "Hi {{User.UserAttributes.FirstName}}" } },
 *   { endpoint: { User: { UserAttributes: { FirstName: ["Ana"] } } } },
 * ) // { Body: "Hi Ana" }
 */
export function renderTemplate<T extends TemplateType>(
  template: TemplateParts<T>,
  variables: MessageVariables,
): ContentByType[T] {
  const context = onceFor(variables, template.DefaultSubstitutions);
  const kind = templateKinds[template.TemplateType];
  return kind.mapParts(template.content, (source, part, html) => renderPart(source, part, html, context));
}

/**
 * One text of a direct message (SendMessages) rendered with the recipient's message variables.
 * @example renderText("Hello {{Attributes.City}}", { endpoint: { Attributes: { City: ["Porto"] } } }) // "Hello Porto"
 */
export function renderText(
  source: string,
  variables: MessageVariables,
  options: { html?: boolean; part?: string; defaultSubstitutions?: string } = {},
): string {
  const { html = false, part = html ? "HTML body" : "message body" } = options;
  return renderPart(source, part, html, () => messageContext(variables, options.defaultSubstitutions));
}

/**
 * The renderer of one recipient's message (subject, bodies, headers, as composeMessage asks for
 * them): its message variables' context is built once, at the first text that uses it, rather
 * than once per text as renderText does. That saves little (~0.4 µs for a subject and an HTML
 * body, of ~8.5 µs: Handlebars' own call costs most), but nothing is built for static parts.
 * @example
 * const render = recipientRenderer({ endpoint, event }, plan.defaultSubstitutions);
 * render("New: {{Event.Attributes.feature}}", false) // "New: Dark mode"
 */
export function recipientRenderer(
  variables: MessageVariables,
  defaultSubstitutions: string | undefined,
): (text: string, html: boolean) => string {
  const context = onceFor(variables, defaultSubstitutions);
  return (text, html) => renderPart(text, html ? "HTML body" : "message body", html, context);
}

function onceFor(variables: MessageVariables, defaultSubstitutions: string | undefined) {
  let context: Record<string, unknown> | undefined;
  return () => {
    context ??= messageContext(variables, defaultSubstitutions);
    return context;
  };
}

/**
 * Throws Pinpoint's 400 unless every part of the content compiles and its DefaultSubstitutions is
 * a JSON object; what a template is checked with before anything is stored.
 */
export function checkTemplateParts<T extends TemplateType>(template: TemplateParts<T>): void {
  parseDefaultSubstitutions(template.DefaultSubstitutions);
  templateKinds[template.TemplateType].mapParts(template.content, (source, part, html) => {
    checkPart(source, part, html);
    return source;
  });
}
