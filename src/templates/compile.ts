/**
 * Handlebars, set up as Pinpoint's templates use it: its built-in helpers plus Pinpoint's
 * (helpers.ts), no partials, and HTML escaping only where the part is HTML. Every part is compiled
 * when a template is saved, so a broken one is refused then (a 400 naming the part) rather than
 * failing each send.
 */
import Handlebars from "handlebars";
import { badRequest } from "../api/errors.js";
import { pinpointHelpers } from "./helpers.js";

const environment = Handlebars.create();
environment.registerHelper(pinpointHelpers);

const knownHelpers = Object.fromEntries(Object.keys(pinpointHelpers).map((name) => [name, true]));

/** Partials and decorators would reach outside the template; Pinpoint has neither. */
const refusedNodes: Record<string, string> = {
  PartialStatement: "partials ({{> name}}) are not supported",
  PartialBlockStatement: "partials ({{#> name}}) are not supported",
  Decorator: "decorators ({{* name}}) are not supported",
  DecoratorBlock: "decorators ({{#* name}}) are not supported",
};

function refusedNode(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = refusedNode(item);
      if (found) return found;
    }
    return undefined;
  }
  if (!node || typeof node !== "object") return undefined;
  const type = (node as { type?: unknown }).type;
  if (typeof type === "string" && refusedNodes[type]) return refusedNodes[type];
  for (const [key, child] of Object.entries(node)) {
    if (key !== "loc" && typeof child === "object") {
      const found = refusedNode(child);
      if (found) return found;
    }
  }
  return undefined;
}

function optionsFor(html: boolean): CompileOptions {
  // Text parts (subjects, SMS, push, voice) go out as written; only HTML needs &, < and > escaped.
  return { knownHelpers, knownHelpersOnly: true, noEscape: !html };
}

/** Handlebars' own words, with its unknown-helper message said plainly. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknownHelper = /unknown helper (\S+) - (\d+):(\d+)/.exec(message);
  if (unknownHelper) {
    return `unknown helper "${unknownHelper[1]}" at line ${unknownHelper[2]}, column ${unknownHelper[3]}`;
  }
  return message;
}

type CompileOptions = Parameters<typeof Handlebars.precompile>[1];

/**
 * Throws Pinpoint's 400, naming the part, unless the source compiles as a template.
 * @example checkPart("Hi {{User.UserAttributes.FirstName}}", "Subject", false)
 */
export function checkPart(source: string, part: string, html: boolean): void {
  let reason: string | undefined;
  try {
    reason = refusedNode(environment.parse(source).body);
    if (!reason) environment.precompile(source, optionsFor(html));
  } catch (error) {
    reason = reasonOf(error);
  }
  if (reason) throw badRequest(`The template's ${part} does not compile: ${reason}`);
}

const cacheSize = 1000;
const cache = new Map<string, Handlebars.TemplateDelegate>();

/**
 * The compiled form of one part, from a small cache: a campaign renders the same parts for every
 * recipient. Throws the same 400 as `checkPart` for a source that was never checked (a direct message).
 */
export function compiledPart(source: string, part: string, html: boolean): Handlebars.TemplateDelegate {
  const key = `${html ? "html" : "text"}:${source}`;
  const cached = cache.get(key);
  if (cached) return cached;
  checkPart(source, part, html);
  const compiled = environment.compile(source, optionsFor(html));
  if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
  cache.set(key, compiled);
  return compiled;
}
