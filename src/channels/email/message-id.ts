/**
 * The Message-ID Waymark gives each email, derived from its Waymark message id so that whatever
 * comes back later (a DSN quoting the original headers, an ARF complaint, an SES notification)
 * names the message it is about without any lookup table: `<waymark-MESSAGEID@host-of-from>`.
 */

const waymarkMessageId = /^<?waymark-([^@<>\s]+)@[^<>\s]+>?$/;

/** The host part of a From address, bare or `Name <address>`. */
function hostOf(fromAddress: string): string {
  const address = /<([^<>]+)>\s*$/.exec(fromAddress)?.[1] ?? fromAddress;
  const host = address.slice(address.lastIndexOf("@") + 1).trim();
  return /^[A-Za-z0-9.-]+$/.test(host) ? host.toLowerCase() : "waymark.invalid";
}

/**
 * The Message-ID header of a Waymark message, angle brackets included.
 * @example messageIdFor("3f2a...", "Shop <news@example.com>") // "<waymark-3f2a...@example.com>"
 */
export function messageIdFor(messageId: string, fromAddress: string): string {
  return `<waymark-${messageId}@${hostOf(fromAddress)}>`;
}

/**
 * The Waymark message id inside a Message-ID Waymark made, or undefined for any other Message-ID.
 * @example waymarkIdOf("<waymark-3f2a@example.com>") // "3f2a"
 */
export function waymarkIdOf(header: string): string | undefined {
  return waymarkMessageId.exec(header.trim())?.[1];
}

/** A Message-ID as stored in `provider_message_id`: trimmed, in angle brackets. */
export function normalizeMessageId(header: string): string {
  const bare = header.trim().replace(/^<|>$/g, "");
  return `<${bare}>`;
}
