import type { Config } from "../config.js";
import { type TemplateType, templateTypes } from "./model.js";

/**
 * The ARN Pinpoint gives a template: account-wide, so no app in it.
 * @example templateArn(config, "Welcome", "EMAIL") // "arn:aws:mobiletargeting:us-east-1:000000000000:templates/Welcome/EMAIL"
 */
export function templateArn(config: Pick<Config, "region" | "accountId">, name: string, type: TemplateType): string {
  return `arn:aws:mobiletargeting:${config.region}:${config.accountId}:templates/${name}/${type}`;
}

/** `arn:aws:mobiletargeting:REGION:ACCOUNT:templates/NAME/TYPE` → its name and type, or undefined if not that form. */
export function parseTemplateArn(arn: string): { name: string; type: TemplateType } | undefined {
  const m = /^arn:aws[a-z-]*:mobiletargeting:[^:]*:[^:]*:templates\/([^/]+)\/([A-Z]+)$/.exec(arn);
  if (!m || !(templateTypes as readonly string[]).includes(m[2])) return undefined;
  return { name: m[1], type: m[2] as TemplateType };
}
