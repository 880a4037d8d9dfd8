/**
 * Application settings: pure validation of WriteApplicationSettingsRequest, as Pinpoint checks it.
 */
import type { WriteApplicationSettingsRequest } from "@aws-sdk/client-pinpoint";
import { badRequest } from "../api/errors.js";

const clock = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Throws a 400 naming the first field Pinpoint would refuse. */
export function validateSettings(request: WriteApplicationSettingsRequest): void {
  const { Limits, QuietTime, CampaignHook, JourneyLimits } = request;
  for (const [name, value] of Object.entries(Limits ?? {})) {
    if (typeof value === "number" && value < 0) throw badRequest(`Limits.${name} must not be negative`);
  }
  if (Limits?.MaximumDuration !== undefined && Limits.MaximumDuration !== 0 && Limits.MaximumDuration < 60) {
    throw badRequest("Limits.MaximumDuration must be at least 60 seconds");
  }
  if (Limits?.MessagesPerSecond !== undefined && Limits.MessagesPerSecond !== 0 && Limits.MessagesPerSecond < 1) {
    throw badRequest("Limits.MessagesPerSecond must be at least 1");
  }
  for (const [name, value] of Object.entries(QuietTime ?? {})) {
    if (value && !clock.test(value)) throw badRequest(`QuietTime.${name} must be in HH:mm form, like 22:00`);
  }
  if (Boolean(QuietTime?.Start) !== Boolean(QuietTime?.End)) {
    throw badRequest("QuietTime needs both Start and End");
  }
  if (CampaignHook?.Mode && !["DELIVERY", "FILTER"].includes(CampaignHook.Mode)) {
    throw badRequest("CampaignHook.Mode must be DELIVERY or FILTER");
  }
  if (CampaignHook?.WebUrl && !/^https?:\/\//.test(CampaignHook.WebUrl)) {
    throw badRequest("CampaignHook.WebUrl must be an http(s) URL");
  }
  for (const [name, value] of Object.entries(JourneyLimits ?? {})) {
    if (typeof value === "number" && value < 0) throw badRequest(`JourneyLimits.${name} must not be negative`);
  }
}
