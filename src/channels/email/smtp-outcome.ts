/**
 * What an SMTP exchange came to, in Pinpoint's delivery statuses. RFC 5321 splits replies into
 * transient (4yz: try again later) and permanent (5yz: the same message will be refused again);
 * anything that never got a reply (a refused connection, a timeout, a dropped socket) is transient.
 */
import type { NodemailerError } from "nodemailer";
import type { DeliveryOutcome } from "../../messages/model.js";

/** Replies to RCPT TO that say the mailbox itself is dead (no such user, mailbox unavailable, bad syntax). */
const deadMailbox = new Set([550, 551, 552, 553]);

/** Commands whose replies are about this message; a refused AUTH is the operator's to fix, so it stays transient. */
const messageCommands = new Set(["MAIL FROM", "RCPT TO", "DATA"]);

/** The outcome of a message the server accepted. */
export function accepted(messageId: string, response: string): DeliveryOutcome {
  return { status: "SUCCESSFUL", statusCode: 200, statusMessage: response.slice(0, 200), providerMessageId: messageId };
}

/**
 * The outcome of a message the server refused, or that never reached it.
 * @example refused({ responseCode: 550, command: "RCPT TO", response: "550 5.1.1 No such user" }).status // "PERMANENT_FAILURE"
 */
export function refused(error: NodemailerError): DeliveryOutcome {
  const statusMessage = (error.response ?? error.message).slice(0, 200);
  // Refused before anything was sent: the address or the envelope itself is malformed.
  if (error.code === "EENVELOPE" && error.command === "API") {
    return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage };
  }
  const code = error.responseCode;
  const aboutThisMessage = error.code === "EMESSAGE" || messageCommands.has(error.command ?? "");
  if (code !== undefined && error.permanent && aboutThisMessage) {
    return {
      status: "PERMANENT_FAILURE",
      statusCode: 400,
      statusMessage,
      deactivateEndpoint: error.command === "RCPT TO" && deadMailbox.has(code),
    };
  }
  return { status: "TEMPORARY_FAILURE", statusCode: 500, statusMessage };
}
