/**
 * VerifyOTPMessage: a code is valid once, before it expires, while wrong tries are left. Each wrong
 * try uses one attempt. The checks and the updates are conditional on the row as read, so two
 * requests racing with the right code cannot both be told it is valid.
 */
import type { VerificationResponse, VerifyOTPMessageRequestParameters } from "@aws-sdk/client-pinpoint";
import { requireApp } from "../../apps/index.js";
import type { Services } from "../../services.js";
import { codeMatches } from "./code.js";
import { required } from "./request.js";

/** Answers whether Otp is the live code for the destination and reference, and uses it up if so. */
export async function verifyOtpMessage(
  services: Services,
  appId: string,
  parameters: VerifyOTPMessageRequestParameters | undefined,
): Promise<VerificationResponse> {
  const destination = required(parameters?.DestinationIdentity, "DestinationIdentity");
  const referenceId = required(parameters?.ReferenceId, "ReferenceId");
  const otp = required(parameters?.Otp, "Otp");
  await requireApp(services, appId);
  const { db } = services.store;
  const now = Date.now();
  const row = await db
    .selectFrom("otp_codes")
    .selectAll()
    .where("app_id", "=", appId)
    .where("destination_identity", "=", destination)
    .where("reference_id", "=", referenceId)
    .executeTakeFirst();
  if (!row) return { Valid: false };
  if (row.used !== 0 || row.expires_ms <= now || row.attempts_left <= 0) return { Valid: false };
  const sameCode = db
    .updateTable("otp_codes")
    .where("app_id", "=", appId)
    .where("destination_identity", "=", row.destination_identity)
    .where("reference_id", "=", row.reference_id)
    .where("code_hash", "=", row.code_hash)
    .where("used", "=", 0)
    .where("attempts_left", ">", 0);
  if (await codeMatches(otp, { salt: row.code_salt, hash: row.code_hash })) {
    const taken = await sameCode.set({ used: 1 }).where("expires_ms", ">", now).executeTakeFirst();
    return { Valid: taken.numUpdatedRows === 1n };
  }
  await sameCode.set((eb) => ({ attempts_left: eb("attempts_left", "-", 1) })).execute();
  return { Valid: false };
}
