/**
 * Tracking an email: before a message is queued, its HTML gets an open pixel and its web links
 * become signed click redirects, and it gets a one-click unsubscribe link (the SMTP provider puts
 * it in List-Unsubscribe and List-Unsubscribe-Post). Direct sends, campaigns and journeys all call
 * `instrumentEmail`, so every email is tracked the same way.
 *
 * The HTML is read as parse5 (the WHATWG parser jsdom uses) reads it (link-plan.ts) and edited in
 * place at the source offsets it reports: only the rewritten href attributes and the pixel change,
 * and everything else (conditional comments for Outlook, odd markup) reaches the recipient byte for
 * byte as written.
 */
import type { MessageContent } from "../messages/model.js";
import type { Services } from "../services.js";
import { linkPlan } from "./link-plan.js";
import { type LinkRecipient, linkUrl, type TrackedLink } from "./links.js";
import { signingKey } from "./signing.js";

/** What instrumenting needs to know of a message; OutboundMessage and QueuedMessage both qualify. */
export interface TrackableMessage {
  id: string;
  appId: string;
  address: string;
  endpointId?: string;
  content: MessageContent;
}

/** Where the pixel and each rewritten link point. */
export interface TrackingLinks {
  open: string;
  /** The redirect for the `index`th tracked link (counted in source order) to `url`. */
  click(url: string, index: number): string;
}

/**
 * The message with tracking added when it is an email Waymark composes; anything else (other
 * channels, a RawEmail sent as is) comes back unchanged.
 * @example prepared.push(await instrumentEmail(services, { id, appId, address, endpointId, content, ... }));
 */
export async function instrumentEmail<M extends TrackableMessage>(services: Services, message: M): Promise<M> {
  const { content } = message;
  if (content.kind !== "email" || content.raw !== undefined) return message;
  const key = await signingKey(services);
  const recipient: LinkRecipient = message.endpointId
    ? { appId: message.appId, messageId: message.id, endpointId: message.endpointId }
    : { appId: message.appId, messageId: message.id, address: message.address };
  const url = (link: TrackedLink) => linkUrl(services.config.publicUrl, key, link);
  const htmlBody =
    content.htmlBody === undefined
      ? undefined
      : instrumentHtml(content.htmlBody, {
          open: url({ ...recipient, kind: "open" }),
          click: (target, index) => url({ ...recipient, kind: "click", url: target, index }),
        });
  return {
    ...message,
    content: {
      ...content,
      ...(htmlBody === undefined ? {} : { htmlBody }),
      unsubscribeUrl: url({ ...recipient, kind: "unsubscribe" }),
    },
  };
}

/**
 * The HTML with http(s) links (href of `a` and `area`) pointing at their click redirects and the
 * open pixel before `</body>` (or at the end). mailto:, tel:, anchors, relative links and links
 * marked `data-waymark-notrack` are left alone.
 * @example instrumentHtml('<a href="https://example.com">x</a>', links)
 * // '<a href="https://t.example/t/c/...">x</a><img src="https://t.example/t/o/....gif" ...>'
 */
export function instrumentHtml(html: string, links: TrackingLinks): string {
  const plan = linkPlan(html);
  const edits = plan.links.map((link, index) => ({
    start: link.start,
    end: link.end,
    text: `href="${escapeAttribute(links.click(link.url, index))}"`,
  }));
  edits.push({ start: plan.pixelAt, end: plan.pixelAt, text: pixel(links.open) });
  edits.sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let cursor = 0;
  for (const edit of edits) {
    parts.push(html.slice(cursor, edit.start), edit.text);
    cursor = edit.end;
  }
  parts.push(html.slice(cursor));
  return parts.join("");
}

function pixel(src: string): string {
  return `<img src="${escapeAttribute(src)}" width="1" height="1" alt="" style="border:0;width:1px;height:1px" />`;
}

function escapeAttribute(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
}
