/**
 * A nodemailer MIME tree written out synchronously, as one string. nodemailer's own writer
 * (MimeNode.build, or sendMail with message fields) streams every part through its own stream
 * pipeline with setImmediate hops between parts: fine for attachments read from disk, but for a
 * few kilobytes of text it costs more CPU than the SMTP exchange itself (about 0.4 ms of the
 * 0.7 ms a message took, which capped one process below 2,000 emails/s; see
 * bench/email.bench.js). Headers, transfer encodings and boundaries are still nodemailer's:
 * this only writes what its public MimeNode API decided, in the order its streamer does.
 */

import { encode as base64Encode, wrap as base64Wrap } from "nodemailer/lib/base64";
import type MimeNode from "nodemailer/lib/mime-node";
import { encode as qpEncode, wrap as qpWrap } from "nodemailer/lib/qp";

/**
 * The message a MIME tree makes, ending in a line break, as MimeNode.build would give it.
 * @example const raw = mimeBytes(new MailComposer({ from, to, subject, text }).compile());
 */
export function mimeBytes(root: MimeNode): string {
  const message = writeNode(root);
  return message.endsWith("\r\n") ? message : `${message}\r\n`;
}

function writeNode(node: MimeNode): string {
  const encoding = node.getTransferEncoding();
  let out = `${node.buildHeaders()}\r\n\r\n`;
  if (node.content) out += encodeContent(node.content, encoding);
  if (node.multipart) {
    node.childNodes.forEach((child, i) => {
      out += `${i > 0 ? "\r\n" : ""}--${node.boundary}\r\n${writeNode(child)}`;
    });
    out += `\r\n--${node.boundary}--\r\n`;
  }
  return out;
}

function encodeContent(content: NonNullable<MimeNode["content"]>, encoding: string | false): string {
  if (typeof content !== "string" && !Buffer.isBuffer(content)) {
    throw new Error("Only text and buffer content can be written synchronously");
  }
  if (encoding === "base64") return base64Wrap(base64Encode(content), 76);
  if (encoding === "quoted-printable") return qpWrap(qpEncode(content), 76);
  return typeof content === "string" ? content : content.toString("utf8");
}
