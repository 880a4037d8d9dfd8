/**
 * One outbound email message as it goes over SMTP: the envelope and the complete MIME message,
 * with the headers Pinpoint's SimpleEmail and RawEmail carry, the Message-ID bounces are matched
 * by, and RFC 8058 one-click unsubscribe headers. Pure: no connection is touched here.
 */
import { randomBytes } from "node:crypto";
import type { EmailContent, OutboundMessage } from "../../messages/model.js";
import { messageIdFor, normalizeMessageId } from "./message-id.js";
import { type MimeMessage, writeMimeMessage } from "./mime-message.js";
import type { SmtpEnvelope } from "./smtp-pool.js";

/** RFC 5322 field names: printable ASCII without the colon. */
const fieldName = /^[!-9;-~]+$/;

/** Fields Waymark writes itself; the request's own headers cannot replace or repeat them. */
const reservedFields = new Set([
  "from",
  "to",
  "cc",
  "bcc",
  "reply-to",
  "subject",
  "message-id",
  "date",
  "mime-version",
  "content-type",
  "content-transfer-encoding",
  "list-unsubscribe",
  "list-unsubscribe-post",
]);

/** With the message id, makes multipart boundaries that are unique and that no content author can predict. */
const boundarySecret = randomBytes(8).toString("hex");

export interface ComposedMail {
  envelope: SmtpEnvelope;
  /** The complete message, headers and body. */
  raw: string;
  /** The Message-ID the mail goes out with, recorded as the provider message id. */
  messageId: string;
}

/**
 * Builds one email message, ready for `pool.send(envelope, raw, signal)`.
 * @example const { envelope, raw, messageId } = composeMail(message, content);
 */
export function composeMail(message: OutboundMessage, content: EmailContent): ComposedMail {
  if (content.raw !== undefined) return composeRaw(message, content, content.raw);
  const messageId = messageIdFor(message.id, content.fromAddress);
  const { envelope, raw } = writeMimeMessage({
    from: content.fromAddress,
    to: message.address,
    replyTo: content.replyTo,
    subject: content.subject,
    messageId,
    date: new Date(),
    headers: customHeaders(content),
    // A message with neither body goes out as an empty text part, as nodemailer sends it.
    text: content.textBody ?? (content.htmlBody === undefined ? "" : undefined),
    html: content.htmlBody,
    boundaryBase: `${boundarySecret}-${message.id}`,
  });
  return { messageId, envelope: { from: envelope.from || bareAddress(content.fromAddress), to: envelope.to }, raw };
}

/**
 * The request's own headers, then the one-click unsubscribe pair. Headers Waymark writes itself
 * are left out: the Message-ID in particular is how bounces find their message.
 */
function customHeaders(content: EmailContent): MimeMessage["headers"] {
  const headers: MimeMessage["headers"] = content.headers.filter(
    ({ name }) => fieldName.test(name) && !reservedFields.has(name.toLowerCase()),
  );
  if (content.unsubscribeUrl) {
    // Prepared: a URL has nothing to encode, and encoding would break the angle brackets.
    headers.push({ name: "List-Unsubscribe", value: `<${content.unsubscribeUrl}>`, prepared: true });
    headers.push({ name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click", prepared: true });
  }
  return headers;
}

/**
 * A complete MIME message (Pinpoint's RawEmail) goes out byte for byte, with the envelope beside
 * it. If it has no Message-ID of its own, Waymark's is put in front of its headers.
 */
function composeRaw(message: OutboundMessage, content: EmailContent, raw: string): ComposedMail {
  const own = rawMessageId(raw);
  const messageId = own ?? messageIdFor(message.id, content.fromAddress);
  return {
    messageId,
    envelope: { from: bareAddress(content.fromAddress), to: [message.address] },
    raw: own ? raw : `Message-ID: ${messageId}\r\n${raw}`,
  };
}

/** The Message-ID header of a raw message, if its header section has one. */
function rawMessageId(raw: string): string | undefined {
  const end = raw.search(/\r?\n\r?\n/);
  const header = (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
  const value = /^message-id:[ \t]*(\S.*)$/im.exec(header)?.[1];
  return value ? normalizeMessageId(value) : undefined;
}

function bareAddress(fromAddress: string): string {
  return (/<([^<>]+)>\s*$/.exec(fromAddress)?.[1] ?? fromAddress).trim();
}
