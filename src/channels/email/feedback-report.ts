/**
 * Reads a report mailed back about an email Waymark sent: a delivery status notification
 * (RFC 3464 multipart/report with a message/delivery-status part: bounced, delayed or delivered)
 * or an abuse report (RFC 5965 ARF, a message/feedback-report part). Both carry the original
 * message or its headers, whose Message-ID names the message the report is about.
 */
import type { Readable } from "node:stream";
import { type Attachment, type ParsedMail, simpleParser } from "mailparser";
import type { EmailFeedback, EmailFeedbackKind } from "./feedback.js";
import { parseReportFields, type ReportFields, withoutType } from "./report-fields.js";

/** The parts that hold the original message, or just its header section. */
const originalParts = new Set(["message/rfc822", "text/rfc822-headers", "message/rfc822-headers"]);

/**
 * The feedback a received report gives; none for mail that is not a report.
 * @example const feedback = await readFeedbackReport(stream); await recordEmailFeedback(services, feedback);
 */
export async function readFeedbackReport(source: Readable | Buffer): Promise<EmailFeedback[]> {
  const mail = await simpleParser(source, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextLinks: true });
  const part = (type: string) => mail.attachments.find((a) => a.contentType.toLowerCase() === type);
  const deliveryStatus = part("message/delivery-status");
  const feedbackReport = part("message/feedback-report");
  if (!deliveryStatus && !feedbackReport) return [];
  const messageIds = await originalMessageIds(mail);
  if (messageIds.length === 0) return [];
  const timestampMs = mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.getTime() : undefined;
  if (feedbackReport) {
    const complaint = complaintFrom(parseReportFields(feedbackReport.content.toString("utf8"))[0]);
    return complaint ? [{ ...complaint, messageIds, timestampMs }] : [];
  }
  return deliveryStatusFeedback(deliveryStatus as Attachment).map((f) => ({ ...f, messageIds, timestampMs }));
}

/** The original's Message-ID from the returned message or headers; else what the report says it replies to. */
async function originalMessageIds(mail: ParsedMail): Promise<string[]> {
  const ids: string[] = [];
  for (const attachment of mail.attachments) {
    if (!originalParts.has(attachment.contentType.toLowerCase())) continue;
    const original = await simpleParser(attachment.content, { skipHtmlToText: true, skipTextLinks: true });
    if (original.messageId) ids.push(original.messageId);
  }
  const references = typeof mail.references === "string" ? [mail.references] : (mail.references ?? []);
  for (const id of [mail.inReplyTo, ...references]) if (id) ids.push(id);
  return ids;
}

type Observed = Omit<EmailFeedback, "messageIds" | "timestampMs">;

/** One piece of feedback per recipient the DSN reports on. */
function deliveryStatusFeedback(part: Attachment): Observed[] {
  const [perMessage, ...perRecipient] = parseReportFields(part.content.toString("utf8"));
  const reportingMta = withoutType(perMessage?.get("reporting-mta"));
  const feedback: Observed[] = [];
  for (const recipient of perRecipient) {
    const kind = deliveryKind(recipient);
    if (!kind) continue;
    const attributes: Record<string, string> = {};
    const status = recipient.get("status");
    const diagnosticCode = withoutType(recipient.get("diagnostic-code"));
    const action = recipient.get("action")?.toLowerCase();
    if (kind !== "delivered") attributes.bounce_type = kind === "hardbounce" ? "Permanent" : "Transient";
    if (action) attributes.action = action;
    if (status) attributes.status = status;
    if (diagnosticCode) attributes.diagnostic_code = diagnosticCode.slice(0, 500);
    if (reportingMta) attributes.reporting_mta = reportingMta;
    feedback.push({ kind, attributes });
  }
  return feedback;
}

/** RFC 3464: `Status: 5.x.x` is a permanent failure, `4.x.x` a transient one; `delivered` and `relayed` are deliveries. */
function deliveryKind(recipient: ReportFields): EmailFeedbackKind | undefined {
  const action = recipient.get("action")?.toLowerCase();
  const statusClass = recipient.get("status")?.trim().charAt(0);
  if (action === "delivered" || action === "relayed") return "delivered";
  if (statusClass === "5") return "hardbounce";
  if (statusClass === "4") return "softbounce";
  return undefined;
}

/** Every ARF feedback type is a complaint (as SES counts them), except a recipient saying it is not spam. */
function complaintFrom(fields: ReportFields | undefined): Observed | undefined {
  const feedbackType = fields?.get("feedback-type")?.toLowerCase();
  if (!fields || !feedbackType || feedbackType === "not-spam") return undefined;
  const attributes: Record<string, string> = { complaint_feedback_type: feedbackType };
  const userAgent = fields.get("user-agent");
  const arrivalDate = fields.get("arrival-date");
  if (userAgent) attributes.user_agent = userAgent;
  if (arrivalDate) attributes.arrival_date = arrivalDate;
  return { kind: "complaint", attributes };
}
