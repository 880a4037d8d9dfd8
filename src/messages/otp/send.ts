/**
 * SendOTPMessage: draws a code, keeps its hash with the expiry and attempts allowed, and sends it
 * by SMS through the delivery pipeline, within the request, as SendMessages does. The code row and
 * the outbox message are written in one transaction, so a code is never live without its message.
 */
import { randomUUID } from "node:crypto";
import type { MessageResponse, SendOTPMessageRequestParameters } from "@aws-sdk/client-pinpoint";
import { requireApp } from "../../apps/index.js";
import type { Services } from "../../services.js";
import { newMessageId } from "../message-id.js";
import type { DeliveryOutcome } from "../model.js";
import { enqueueMessages, type QueuedMessage } from "../outbox/enqueue.js";
import { generateCode, hashCode } from "./code.js";
import { isOriginationNumber, otpMessageBody, readOtpRequest } from "./request.js";

/** The request delivers its own message; the background loop takes it over only if the request dies. */
const requestWindowMs = 30_000;

/** Sends a fresh code to DestinationIdentity; a code sent before for the same reference stops working. */
export async function sendOtpMessage(
  services: Services,
  appId: string,
  parameters: SendOTPMessageRequestParameters | undefined,
  requestId: string,
): Promise<MessageResponse> {
  const request = readOtpRequest(parameters);
  await requireApp(services, appId);
  const code = generateCode(request.codeLength);
  const { salt, hash } = await hashCode(code);
  const now = Date.now();
  const message: QueuedMessage = {
    id: newMessageId(),
    sendKey: `otp:${randomUUID()}`,
    appId,
    channel: "SMS",
    address: request.destination,
    content: {
      kind: "sms",
      body: otpMessageBody(code, request.brandName),
      messageType: "TRANSACTIONAL",
      ...(isOriginationNumber(request.origination)
        ? { originationNumber: request.origination }
        : { senderId: request.origination }),
    },
    origin: {},
    context: {},
    sender: request.origination,
    maxAttempts: 1,
    notBeforeMs: now + requestWindowMs,
  };
  const row = {
    app_id: appId,
    destination_identity: request.destination,
    reference_id: request.referenceId,
    code_salt: salt,
    code_hash: hash,
    expires_ms: now + request.validityMinutes * 60_000,
    attempts_left: request.allowedAttempts,
    used: 0,
    message_id: message.id,
    created_ms: now,
  };
  await services.store.db.transaction().execute(async (trx) => {
    await trx.deleteFrom("otp_codes").where("app_id", "=", appId).where("expires_ms", "<", now).execute();
    await trx
      .insertInto("otp_codes")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["app_id", "destination_identity", "reference_id"]).doUpdateSet({
          code_salt: row.code_salt,
          code_hash: row.code_hash,
          expires_ms: row.expires_ms,
          attempts_left: row.attempts_left,
          used: 0,
          message_id: row.message_id,
          created_ms: row.created_ms,
        }),
      )
      .execute();
    await enqueueMessages(trx, [message], now);
  });
  const outcome: DeliveryOutcome = (await services.delivery.deliverNow([message.id])).get(message.id) ?? {
    status: "UNKNOWN_FAILURE",
    statusCode: 500,
    statusMessage: "The message was not delivered within the request",
  };
  return {
    ApplicationId: appId,
    RequestId: requestId,
    Result: {
      [request.destination]: {
        DeliveryStatus: outcome.status,
        StatusCode: outcome.statusCode,
        StatusMessage: outcome.status === "SUCCESSFUL" ? `MessageId: ${message.id}` : (outcome.statusMessage ?? ""),
        MessageId: message.id,
      },
    },
  };
}
