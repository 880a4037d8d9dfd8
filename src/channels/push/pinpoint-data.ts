/**
 * The data Pinpoint puts in every push notification, which its mobile SDKs (AWS Amplify, the AWS
 * Mobile SDKs) read to render the notification, follow its action and attribute opens to the
 * campaign or journey. Apps written against Pinpoint keep working only if these keys are the same.
 * Android (FCM, ADM, Baidu) gets flat string keys (`pinpoint.notification.title`); iOS (APNs) gets a
 * nested `data.pinpoint` object.
 */
import type { MessageOrigin, PushContent } from "../../messages/model.js";

/** Pinpoint marks direct sends (SendMessages) with this campaign id. */
const directCampaignId = "_DIRECT";

/**
 * The string data of an Android notification, Pinpoint's keys.
 * @example androidData(content, {}) // { "pinpoint.notification.title": "Hi", "pinpoint.openApp": "true", "pinpoint.campaign.campaign_id": "_DIRECT", ... }
 */
export function androidData(content: PushContent, origin: MessageOrigin): Record<string, string> {
  const data: Record<string, string> = {};
  if (content.title !== undefined) data["pinpoint.notification.title"] = content.title;
  if (content.body !== undefined) data["pinpoint.notification.body"] = content.body;
  if (content.imageUrl !== undefined) data["pinpoint.notification.imageUrl"] = content.imageUrl;
  if (content.sound !== undefined) data["pinpoint.notification.sound"] = content.sound;
  data["pinpoint.notification.silentPush"] = content.silent ? "1" : "0";
  if (content.action === "URL" && content.url) data["pinpoint.url"] = content.url;
  else if (content.action === "DEEP_LINK" && content.url) data["pinpoint.deeplink"] = content.url;
  else data["pinpoint.openApp"] = "true";
  if (origin.journeyId) {
    data["pinpoint.journey.journey_id"] = origin.journeyId;
    if (origin.journeyActivityId) data["pinpoint.journey.journey_activity_id"] = origin.journeyActivityId;
  } else {
    data["pinpoint.campaign.campaign_id"] = origin.campaignId ?? directCampaignId;
    if (origin.treatmentId) data["pinpoint.campaign.treatment_id"] = origin.treatmentId;
  }
  if (Object.keys(content.data).length > 0) data["pinpoint.jsonBody"] = JSON.stringify(content.data);
  return data;
}

/**
 * The `data` member of an APNs payload, beside `aps`: Pinpoint's deep link, attribution and the
 * message's Data (as `pinpoint.jsonBody`), and the media URL a notification service extension loads.
 */
export function iosData(content: PushContent, origin: MessageOrigin): Record<string, unknown> {
  const pinpoint: Record<string, unknown> = {};
  if ((content.action === "URL" || content.action === "DEEP_LINK") && content.url) pinpoint.deeplink = content.url;
  if (origin.journeyId) {
    pinpoint.journey = {
      journey_id: origin.journeyId,
      ...(origin.journeyActivityId ? { journey_activity_id: origin.journeyActivityId } : {}),
    };
  } else {
    pinpoint.campaign = {
      campaign_id: origin.campaignId ?? directCampaignId,
      ...(origin.treatmentId ? { treatment_id: origin.treatmentId } : {}),
    };
  }
  if (Object.keys(content.data).length > 0) pinpoint.jsonBody = content.data;
  return { pinpoint, ...(content.imageUrl ? { "media-url": content.imageUrl } : {}) };
}
