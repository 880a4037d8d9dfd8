/**
 * One outbound email message as it goes over SMTP: the envelope and the complete MIME message,
 * with the headers Pinpoint's SimpleEmail and RawEmail carry, the Message-ID bounces are matched
 * by, and RFC 8058 one-click unsubscribe headers. Pure: no connection is touched here.
 */
import type { Headers } from "nodemailer";
import MailComposer from "nodemailer/lib/mail-composer";
import type { EmailContent, OutboundMessage } from "../../messages/model.js";
import { messageIdFor, normalizeMessageId } from "./message-id.js";
import { mimeBytes } from "./mime-bytes.js";
import type { SmtpEnvelope } from "./smtp-pool.js";

/** RFC 5322 field names: printable ASCII without the colon. */
const fieldName = /^[!-9;-~]+$/;

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
  const mime = new MailComposer({
    from: content.fromAddress,
    to: message.address,
    subject: content.subject,
    text: content.textBody,
    html: content.htmlBody,
    replyTo: content.replyTo && content.replyTo.length > 0 ? content.replyTo : undefined,
    messageId,
    headers: customHeaders(content),
    // Bodies are text Waymark rendered: nothing in them may name a file or a URL to fetch.
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
  const { from, to } = mime.getEnvelope();
  return { messageId, envelope: { from: from || bareAddress(content.fromAddress), to }, raw: mimeBytes(mime) };
}

/**
 * The request's own headers, then the one-click unsubscribe pair. A header naming the Message-ID
 * is left out: bounces are matched by the one Waymark sets.
 */
function customHeaders(content: EmailContent): Headers {
  const headers: Headers = content.headers
    .filter(({ name }) => fieldName.test(name) && name.toLowerCase() !== "message-id")
    .map(({ name, value }) => ({ key: name, value }));
  if (content.unsubscribeUrl) {
    // Prepared: a URL has nothing to encode, and encoding would break the angle brackets.
    headers.push({ key: "List-Unsubscribe", value: { prepared: true, value: `<${content.unsubscribeUrl}>` } });
    headers.push({ key: "List-Unsubscribe-Post", value: { prepared: true, value: "List-Unsubscribe=One-Click" } });
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
