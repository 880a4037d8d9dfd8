/**
 * SendOTPMessage's parameters checked against Pinpoint's documented limits (developer guide,
 * send-validate-otp.md), with defaults where Pinpoint documents none. Pure: the caller sends.
 */
import type { SendOTPMessageRequestParameters } from "@aws-sdk/client-pinpoint";
import { badRequest } from "../../api/errors.js";
import { checkAddress } from "../compose.js";

/** Pinpoint's limits; the defaults are Waymark's (docs/compatibility-notes.md). */
export const otpLimits = {
  codeLength: { min: 5, max: 8, default: 6 },
  validityMinutes: { min: 5, max: 60, default: 15 },
  allowedAttempts: { min: 1, max: 5, default: 3 },
  brandNameLength: 20,
  referenceIdLength: 48,
} as const;

/** The languages Pinpoint accepts for OTP messages. */
export const otpLanguages = new Set([
  "de-DE",
  "en-GB",
  "en-US",
  "es-419",
  "es-ES",
  "fr-CA",
  "fr-FR",
  "it-IT",
  "ja-JP",
  "ko-KR",
  "pt-BR",
  "zh-CN",
  "zh-TW",
]);

export interface OtpRequest {
  brandName: string;
  codeLength: number;
  validityMinutes: number;
  allowedAttempts: number;
  destination: string;
  origination: string;
  referenceId: string;
  language?: string;
}

const e164 = /^\+[1-9]\d{6,14}$/;
const shortCode = /^\d{3,8}$/;
const senderId = /^(?=.*[A-Za-z])[A-Za-z0-9 -]{1,11}$/;

/**
 * The request with defaults filled in, or a 400 saying what is wrong.
 * @example readOtpRequest({ Channel: "SMS", BrandName: "ExampleCorp", ReferenceId: "r1", DestinationIdentity: "+12065550007", OriginationIdentity: "+18555550142" })
 */
export function readOtpRequest(parameters: SendOTPMessageRequestParameters | undefined): OtpRequest {
  const p = parameters ?? ({} as SendOTPMessageRequestParameters);
  if (p.Channel !== "SMS") throw badRequest("Channel must be SMS: one-time passwords are sent by SMS only");
  const brandName = required(p.BrandName, "BrandName");
  if (brandName.length > otpLimits.brandNameLength) {
    throw badRequest(`BrandName must be at most ${otpLimits.brandNameLength} characters`);
  }
  const referenceId = required(p.ReferenceId, "ReferenceId");
  if (referenceId.length > otpLimits.referenceIdLength) {
    throw badRequest(`ReferenceId must be 1 to ${otpLimits.referenceIdLength} characters`);
  }
  const destination = required(p.DestinationIdentity, "DestinationIdentity");
  const addressError = checkAddress("SMS", destination);
  if (addressError) throw badRequest(`DestinationIdentity: ${addressError}`);
  const origination = required(p.OriginationIdentity, "OriginationIdentity");
  if (!e164.test(origination) && !shortCode.test(origination) && !senderId.test(origination)) {
    throw badRequest(
      "OriginationIdentity must be a phone number in E.164 form, a short code or a sender ID of up to 11 letters and digits",
    );
  }
  if (p.Language !== undefined && !otpLanguages.has(p.Language)) {
    throw badRequest(`Language must be one of ${[...otpLanguages].join(", ")}`);
  }
  return {
    brandName,
    codeLength: within(p.CodeLength, "CodeLength", otpLimits.codeLength),
    validityMinutes: within(p.ValidityPeriod, "ValidityPeriod", otpLimits.validityMinutes),
    allowedAttempts: within(p.AllowedAttempts, "AllowedAttempts", otpLimits.allowedAttempts),
    destination,
    origination,
    referenceId,
    language: p.Language,
  };
}

/** The SMS text, in the wording Pinpoint documents: "This is your One Time Password: {{otp}} from {{brand}}". */
export function otpMessageBody(code: string, brandName: string): string {
  return `This is your One Time Password: ${code} from ${brandName}`;
}

/** Whether the origination identity is a number (long code, toll-free, short code) rather than a sender ID. */
export function isOriginationNumber(origination: string): boolean {
  return e164.test(origination) || shortCode.test(origination);
}

/** A required string parameter, or a 400 naming it. */
export function required(value: string | undefined, name: string): string {
  if (typeof value !== "string" || value.trim() === "") throw badRequest(`${name} is required`);
  return value;
}

function within(value: number | undefined, name: string, range: { min: number; max: number; default: number }) {
  if (value === undefined) return range.default;
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw badRequest(`${name} must be a whole number from ${range.min} to ${range.max}`);
  }
  return value;
}
