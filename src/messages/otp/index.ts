/** One-time passwords: SendOTPMessage and VerifyOTPMessage. */
export { sendOtpMessage } from "./send.js";
export { verifyOtpMessage } from "./verify.js";
