/**
 * Where a custom channel's messages go. Pinpoint's DeliveryUri is a Lambda function ARN or a
 * webhook URL; Waymark runs no Lambda, so an ARN must be mapped to the URL that runs the same
 * code (config.lambdaFunctions), and a webhook is called directly once it has proved it expects
 * this account's messages.
 */
import type { Config } from "../../config.js";

export type CustomTarget =
  | { kind: "lambda"; url: string }
  | { kind: "webhook"; url: string }
  | { kind: "unusable"; reason: string };

const lambdaArn = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/;

/**
 * Resolves a DeliveryUri. A qualified ARN (`...:function:name:alias`) falls back to the
 * unqualified one, so mapping a function once covers its versions and aliases.
 * @example customTarget("arn:aws:lambda:us-east-1:123456789012:function:deliver", config.lambdaFunctions)
 */
export function customTarget(deliveryUri: string, lambdaFunctions: Config["lambdaFunctions"]): CustomTarget {
  if (deliveryUri.startsWith("arn:")) {
    if (!lambdaArn.test(deliveryUri)) {
      return { kind: "unusable", reason: `${deliveryUri} is not a Lambda function ARN` };
    }
    const unqualified = deliveryUri.split(":").slice(0, 7).join(":");
    const url = lambdaFunctions[deliveryUri] ?? lambdaFunctions[unqualified];
    if (url) return { kind: "lambda", url };
    return {
      kind: "unusable",
      reason:
        `The Lambda function ${deliveryUri} has no URL in Waymark: map it in the lambdaFunctions section of ` +
        `waymark.config (e.g. "lambdaFunctions": {"${unqualified}": "https://host/path"}) to the HTTP ` +
        "endpoint that runs the same code",
    };
  }
  let url: URL;
  try {
    url = new URL(deliveryUri);
  } catch {
    return { kind: "unusable", reason: "DeliveryUri must be a Lambda function ARN or a webhook URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { kind: "unusable", reason: "A custom channel webhook URL must begin with https:// (or http://)" };
  }
  return { kind: "webhook", url: url.toString() };
}
