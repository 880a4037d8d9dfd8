/** One-time passwords: SendOTPMessage sends a code by SMS, VerifyOTPMessage checks it. */
import type { SendOTPMessageRequestParameters, VerifyOTPMessageRequestParameters } from "@aws-sdk/client-pinpoint";
import { sendOtpMessage, verifyOtpMessage } from "../messages/otp/index.js";
import { type Handlers, member } from "./handler.js";

export const otpHandlers: Handlers = {
  SendOTPMessage: (input, { services, requestId }) =>
    sendOtpMessage(
      services,
      member(input, "ApplicationId"),
      member<SendOTPMessageRequestParameters>(input, "SendOTPMessageRequestParameters"),
      requestId,
    ),
  VerifyOTPMessage: (input, { services }) =>
    verifyOtpMessage(
      services,
      member(input, "ApplicationId"),
      member<VerifyOTPMessageRequestParameters>(input, "VerifyOTPMessageRequestParameters"),
    ),
};
