/**
 * Amazon SES's bounce, complaint and delivery notifications (the JSON SES publishes to SNS, or
 * through a configuration set's event destination), for operators who relay Waymark's mail
 * through SES. SES replaces the Message-ID it is given with its own, but the notification
 * carries the original headers (when the identity includes them), so Waymark's Message-ID
 * still names the message.
 */
import { z } from "zod";
import type { EmailFeedback, EmailFeedbackKind } from "./feedback.js";

const text = z.string();
const recipient = z.object({
  emailAddress: text,
  action: text.optional(),
  status: text.optional(),
  diagnosticCode: text.optional(),
});

const sesNotification = z.object({
  /** SNS notifications say notificationType; configuration set event publishing says eventType. */
  notificationType: text.optional(),
  eventType: text.optional(),
  mail: z.object({
    messageId: text.optional(),
    headers: z.array(z.object({ name: text, value: text })).optional(),
    commonHeaders: z.object({ messageId: text.optional() }).optional(),
  }),
  bounce: z
    .object({
      bounceType: text,
      bounceSubType: text.optional(),
      bouncedRecipients: z.array(recipient).default([]),
      timestamp: text.optional(),
      feedbackId: text.optional(),
      reportingMTA: text.optional(),
    })
    .optional(),
  complaint: z
    .object({
      complaintFeedbackType: text.optional(),
      complaintSubType: text.nullish(),
      userAgent: text.optional(),
      timestamp: text.optional(),
      feedbackId: text.optional(),
    })
    .optional(),
  delivery: z
    .object({
      timestamp: text.optional(),
      smtpResponse: text.optional(),
      reportingMTA: text.optional(),
      processingTimeMillis: z.number().optional(),
    })
    .optional(),
});

export type SesNotification = z.infer<typeof sesNotification>;

/**
 * The feedback an SES notification gives: one item, or none for a notification type Waymark does
 * not record (Send, Open, Click: Waymark records those itself). Throws on something that is not
 * an SES notification at all.
 * @example const feedback = sesFeedback(JSON.parse(snsEnvelope.Message));
 */
export function sesFeedback(body: unknown): EmailFeedback[] {
  const parsed = sesNotification.safeParse(body);
  if (!parsed.success) throw new Error("Not an SES notification: mail and notificationType are required");
  const notification = parsed.data;
  const type = notification.notificationType ?? notification.eventType;
  const observed = observe(type, notification);
  if (!observed) return [];
  return [{ ...observed, messageIds: messageIdsOf(notification) }];
}

/** Waymark's Message-ID from the original headers first; SES's own id last. */
function messageIdsOf(notification: SesNotification): string[] {
  const { mail } = notification;
  const ids = (mail.headers ?? []).filter((h) => h.name.toLowerCase() === "message-id").map((h) => h.value);
  if (mail.commonHeaders?.messageId) ids.push(mail.commonHeaders.messageId);
  if (mail.messageId) ids.push(mail.messageId);
  return ids;
}

type Observed = Omit<EmailFeedback, "messageIds">;

function observe(type: string | undefined, notification: SesNotification): Observed | undefined {
  const { bounce, complaint, delivery } = notification;
  if (type === "Bounce" && bounce) {
    // Undetermined bounces are not known to be permanent: they are kept as soft bounces.
    const kind: EmailFeedbackKind = bounce.bounceType === "Permanent" ? "hardbounce" : "softbounce";
    const first = bounce.bouncedRecipients[0];
    return {
      kind,
      timestampMs: millis(bounce.timestamp),
      attributes: defined({
        bounce_type: bounce.bounceType,
        bounce_sub_type: bounce.bounceSubType,
        action: first?.action,
        status: first?.status,
        diagnostic_code: first?.diagnosticCode?.slice(0, 500),
        reporting_mta: bounce.reportingMTA,
        feedback_id: bounce.feedbackId,
      }),
    };
  }
  if (type === "Complaint" && complaint) {
    return {
      kind: "complaint",
      timestampMs: millis(complaint.timestamp),
      attributes: defined({
        complaint_feedback_type: complaint.complaintFeedbackType,
        complaint_sub_type: complaint.complaintSubType ?? undefined,
        user_agent: complaint.userAgent,
        feedback_id: complaint.feedbackId,
      }),
    };
  }
  if (type === "Delivery" && delivery) {
    return {
      kind: "delivered",
      timestampMs: millis(delivery.timestamp),
      attributes: defined({
        smtp_response: delivery.smtpResponse,
        reporting_mta: delivery.reportingMTA,
        processing_time_millis: delivery.processingTimeMillis?.toString(),
      }),
    };
  }
  return undefined;
}

function millis(timestamp: string | undefined): number | undefined {
  const ms = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
  return Number.isNaN(ms) ? undefined : ms;
}

function defined(attributes: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(attributes).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
