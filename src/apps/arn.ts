import type { Config } from "../config.js";

/** The ARN Pinpoint gives an application. @example appArn(config, "6e0b7591a90841d2b5d93fa11143e5a7") */
export function appArn(config: Pick<Config, "region" | "accountId">, appId: string): string {
  return `arn:aws:mobiletargeting:${config.region}:${config.accountId}:apps/${appId}`;
}

/** `arn:aws:mobiletargeting:REGION:ACCOUNT:apps/ID[/...]` → its parts, or undefined if not that form. */
export function parseArn(arn: string): { appId: string; resource: string[] } | undefined {
  const m = /^arn:aws[a-z-]*:mobiletargeting:[^:]*:[^:]*:apps\/([^/]+)((?:\/[^/]+)*)$/.exec(arn);
  if (!m) return undefined;
  return { appId: m[1], resource: m[2].split("/").filter(Boolean) };
}
