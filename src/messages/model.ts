/**
 * A message on its way out: one rendered message to one address on one channel. Direct sends
 * (SendMessages), campaigns and journeys all produce these; the delivery pipeline takes them from
 * the outbox to a channel provider.
 */

/** The channels Waymark delivers on; push covers GCM, APNS (and its variants), BAIDU and ADM. */
export type DeliveryChannel =
  | "EMAIL"
  | "SMS"
  | "VOICE"
  | "GCM"
  | "APNS"
  | "APNS_SANDBOX"
  | "APNS_VOIP"
  | "APNS_VOIP_SANDBOX"
  | "BAIDU"
  | "ADM"
  | "CUSTOM";

export interface EmailContent {
  kind: "email";
  fromAddress: string;
  subject: string;
  htmlBody?: string;
  textBody?: string;
  /** A complete MIME message (Pinpoint's RawEmail), sent as is. */
  raw?: string;
  headers: Array<{ name: string; value: string }>;
  replyTo?: string[];
  /** RFC 8058 one-click unsubscribe link for List-Unsubscribe and List-Unsubscribe-Post. */
  unsubscribeUrl?: string;
}

export interface SmsContent {
  kind: "sms";
  body: string;
  /** TRANSACTIONAL or PROMOTIONAL. */
  messageType: string;
  originationNumber?: string;
  senderId?: string;
  keyword?: string;
}

export interface VoiceContent {
  kind: "voice";
  body: string;
  isSsml: boolean;
  languageCode?: string;
  voiceId?: string;
  originationNumber?: string;
}

export interface PushContent {
  kind: "push";
  title?: string;
  body?: string;
  /** OPEN_APP, DEEP_LINK or URL. */
  action?: string;
  url?: string;
  data: Record<string, string>;
  silent: boolean;
  sound?: string;
  imageUrl?: string;
  priority?: string;
  timeToLive?: number;
  /** The platform's own payload, when the request gave one (RawContent). */
  raw?: string;
}

export interface CustomContent {
  kind: "custom";
  /** The Lambda ARN or URL of the custom channel's function. */
  deliveryUri: string;
  data?: string;
}

export type MessageContent = EmailContent | SmsContent | VoiceContent | PushContent | CustomContent;

/** Who the message is for and why, as Pinpoint reports it in events and hooks. */
export interface MessageOrigin {
  campaignId?: string;
  treatmentId?: string;
  journeyId?: string;
  journeyActivityId?: string;
  journeyRunId?: string;
  /** The request's TraceId for direct sends. */
  traceId?: string;
}

export interface OutboundMessage {
  /** Waymark's message id, returned as MessageId. */
  id: string;
  appId: string;
  channel: DeliveryChannel;
  address: string;
  endpointId?: string;
  content: MessageContent;
  origin: MessageOrigin;
  /** The request's Context, passed through to providers and events. */
  context: Record<string, string>;
  /** Attempts so far, this one included. */
  attempt: number;
}

/**
 * What one delivery attempt came to, in Pinpoint's DeliveryStatus terms. `SUCCESSFUL` means the
 * provider accepted the message; what happens after (delivered, bounced) comes back as events.
 */
export type DeliveryStatus =
  | "SUCCESSFUL"
  | "THROTTLED"
  | "TEMPORARY_FAILURE"
  | "PERMANENT_FAILURE"
  | "UNKNOWN_FAILURE"
  | "OPT_OUT"
  | "DUPLICATE";

export interface DeliveryOutcome {
  status: DeliveryStatus;
  /** The HTTP-style code Pinpoint pairs with the status (200, 400, 429, 500...). */
  statusCode: number;
  statusMessage?: string;
  providerMessageId?: string;
  /** The address is dead (an invalid device token, a rejected mailbox): mark the endpoint INACTIVE. */
  deactivateEndpoint?: boolean;
}
