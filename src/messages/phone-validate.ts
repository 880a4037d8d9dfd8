/**
 * PhoneNumberValidate, answered offline from libphonenumber's numbering plans (libphonenumber-js,
 * "max" metadata): what the number itself tells (country, cleansed forms, and its type where the
 * plan distinguishes one). Carrier, city, county, postal code and time zone need the live carrier
 * and location data Pinpoint buys; Waymark does not guess them, and omits them
 * (docs/compatibility-notes.md).
 */
import type { NumberValidateRequest, NumberValidateResponse } from "@aws-sdk/client-pinpoint";
import {
  type CountryCode,
  isSupportedCountry,
  type NumberType,
  parsePhoneNumberFromString,
} from "libphonenumber-js/max";
import { badRequest } from "../api/errors.js";

/** Pinpoint's PhoneType values and their PhoneTypeCode. */
const phoneTypes = { MOBILE: 0, LANDLINE: 1, VOIP: 2, INVALID: 3, OTHER: 4, PREPAID: 5 } as const;
type PhoneType = keyof typeof phoneTypes;

/**
 * The numbering plan's type as Pinpoint names it. A plan that does not tell mobile from fixed
 * (FIXED_LINE_OR_MOBILE, as in North America) and the special kinds (toll-free, premium rate,
 * pager, ...) are OTHER; PREPAID is never knowable from the number alone.
 */
const typeByPlan: Partial<Record<NonNullable<NumberType>, PhoneType>> = {
  MOBILE: "MOBILE",
  FIXED_LINE: "LANDLINE",
  VOIP: "VOIP",
};

const countryNames = new Intl.DisplayNames(["en"], { type: "region" });

/**
 * Validates and describes a phone number; IsoCountryCode lets a national number ("020 7946 0958")
 * be read in its country. An unreadable or impossible number answers PhoneType INVALID.
 * @example validatePhoneNumber({ PhoneNumber: "+12065550142" }).CleansedPhoneNumberE164 // "+12065550142"
 */
export function validatePhoneNumber(request: NumberValidateRequest | undefined): NumberValidateResponse {
  const original = request?.PhoneNumber;
  if (typeof original !== "string" || original.trim() === "") throw badRequest("PhoneNumber is required");
  const iso = request?.IsoCountryCode?.trim().toUpperCase();
  if (iso && !isSupportedCountry(iso)) {
    throw badRequest(`IsoCountryCode ${request?.IsoCountryCode} is not an ISO 3166-1 alpha-2 country code`);
  }
  const asked: NumberValidateResponse = {
    OriginalPhoneNumber: original,
    ...(iso ? { OriginalCountryCodeIso2: iso } : {}),
  };
  const parsed = parsePhoneNumberFromString(original, {
    defaultCountry: iso as CountryCode | undefined,
    extract: false,
  });
  if (!parsed) return { ...asked, ...typed("INVALID") };
  const country = parsed.country;
  return {
    ...asked,
    CleansedPhoneNumberE164: parsed.number,
    CleansedPhoneNumberNational: parsed.nationalNumber,
    ...(country ? { Country: countryNames.of(country), CountryCodeIso2: country } : {}),
    CountryCodeNumeric: parsed.countryCallingCode,
    ...typed(parsed.isValid() ? planType(parsed.getType()) : "INVALID"),
  };
}

function planType(type: NumberType): PhoneType {
  return (type && typeByPlan[type]) || "OTHER";
}

function typed(type: PhoneType): Pick<NumberValidateResponse, "PhoneType" | "PhoneTypeCode"> {
  return { PhoneType: type, PhoneTypeCode: phoneTypes[type] };
}
