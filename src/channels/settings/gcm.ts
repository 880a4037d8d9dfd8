/**
 * The GCM channel (Firebase Cloud Messaging): a legacy server key, a service account's JSON for the
 * FCM HTTP v1 API, or both, with a default authentication method (KEY or TOKEN) naming one it has.
 */
import type { GCMChannelRequest } from "@aws-sdk/client-pinpoint";
import { badRequest } from "../../api/errors.js";
import type { ChannelKind } from "./kind.js";
import { requireText } from "./kind.js";

const authenticationMethods = ["KEY", "TOKEN"] as const;
type AuthenticationMethod = (typeof authenticationMethods)[number];

/** The members of a Google service account key that an FCM v1 sender signs its token requests with. */
const serviceAccountMembers = ["project_id", "private_key", "client_email"] as const;

function checkServiceJson(serviceJson: string): void {
  let account: unknown;
  try {
    account = JSON.parse(serviceJson);
  } catch {
    throw badRequest("ServiceJson must be the JSON key file of a Google service account");
  }
  for (const name of serviceAccountMembers) {
    const value = typeof account === "object" && account !== null ? Reflect.get(account, name) : undefined;
    if (typeof value !== "string" || value === "") throw badRequest(`ServiceJson has no ${name}`);
  }
}

function authenticationMethod(value: string): AuthenticationMethod {
  const method = authenticationMethods.find((m) => m === value.toUpperCase());
  if (!method) throw badRequest("DefaultAuthenticationMethod must be KEY or TOKEN");
  return method;
}

export const gcmChannel: ChannelKind<GCMChannelRequest> = {
  members: ["ApiKey", "DefaultAuthenticationMethod", "Enabled", "ServiceJson"],
  hasCredential: true,
  settle(merged) {
    if (merged.ApiKey !== undefined) requireText(merged.ApiKey, "ApiKey");
    if (merged.ServiceJson !== undefined) checkServiceJson(merged.ServiceJson);
    if (merged.ApiKey === undefined && merged.ServiceJson === undefined) {
      throw badRequest("The GCM channel needs credentials: ApiKey or ServiceJson");
    }
    const method = authenticationMethod(
      merged.DefaultAuthenticationMethod ?? (merged.ApiKey !== undefined ? "KEY" : "TOKEN"),
    );
    if (method === "KEY" && merged.ApiKey === undefined) {
      throw badRequest("DefaultAuthenticationMethod KEY needs an ApiKey");
    }
    if (method === "TOKEN" && merged.ServiceJson === undefined) {
      throw badRequest("DefaultAuthenticationMethod TOKEN needs a ServiceJson");
    }
    return { ...merged, DefaultAuthenticationMethod: method };
  },
  describe: (settings) => ({
    DefaultAuthenticationMethod: settings.DefaultAuthenticationMethod,
    HasFcmServiceCredentials: settings.ServiceJson !== undefined,
  }),
};
