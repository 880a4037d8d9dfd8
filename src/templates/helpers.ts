/**
 * The Handlebars helpers of Pinpoint's templates that Waymark has (user guide, "Using message
 * template helpers"): the conditional helpers and the case helpers. A template calling any other
 * helper is refused when it is saved, rather than failing when it is sent.
 *
 * Each conditional helper works three ways, as Pinpoint's do: as a block (`{{#eq a "x"}}…{{else}}…{{/eq}}`),
 * inline with answers (`{{eq a "x" yes="Y" no="N"}}`), and as a subexpression answering a boolean
 * (`{{#and (eq a "x") (gt b 3)}}`).
 */
import type { HelperDelegate, HelperOptions } from "handlebars";

/** Handlebars' notion of truth, which Pinpoint's helpers share: an empty list is false. */
function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

/** Equal as the recipient would read them: a one-value attribute list equals its value. */
function same(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  return String(a) === String(b);
}

/** Compares numbers as numbers (attribute values are strings: "17" < "9" would be wrong) and text as text. */
function compare(a: unknown, b: unknown): number | undefined {
  if (a === undefined || a === null || b === undefined || b === null) return undefined;
  const [x, y] = [Number(String(a)), Number(String(b))];
  if (String(a).trim() !== "" && String(b).trim() !== "" && !Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  return String(a).localeCompare(String(b));
}

/** A helper answering a condition, usable as a block, inline with yes/no, or as a subexpression. */
function condition(test: (values: unknown[]) => boolean): HelperDelegate {
  return function (this: unknown, ...args: unknown[]) {
    const options = args.pop() as HelperOptions;
    const result = test(args);
    if (options.fn) return result ? options.fn(this) : options.inverse(this);
    const { yes, no } = options.hash as { yes?: unknown; no?: unknown };
    if (yes !== undefined || no !== undefined) return result ? (yes ?? "") : (no ?? "");
    return result;
  };
}

function ordered(check: (difference: number) => boolean) {
  return condition(([a, b]) => {
    const difference = compare(a, b);
    return difference !== undefined && check(difference);
  });
}

/** A text helper: takes one value (a list renders as its values joined), answers text. */
function text(transform: (value: string) => string): HelperDelegate {
  return (value: unknown) => (value === undefined || value === null ? "" : transform(String(value)));
}

export const pinpointHelpers: Record<string, HelperDelegate> = {
  and: condition((values) => values.length > 0 && values.every(truthy)),
  or: condition((values) => values.some(truthy)),
  not: condition(([value]) => !truthy(value)),
  eq: condition(([a, b]) => same(a, b)),
  neq: condition(([a, b]) => !same(a, b)),
  gt: ordered((difference) => difference > 0),
  gte: ordered((difference) => difference >= 0),
  lt: ordered((difference) => difference < 0),
  lte: ordered((difference) => difference <= 0),
  lower: text((value) => value.toLowerCase()),
  upper: text((value) => value.toUpperCase()),
  capitalize: text((value) =>
    value.replace(/(^|\s)(\S)/g, (_, space: string, letter: string) => space + letter.toUpperCase()),
  ),
  capitalizeFirst: text((value) => value.charAt(0).toUpperCase() + value.slice(1)),
};
