/**
 * Tracking an email: before a message is queued, its HTML gets an open pixel and its web links
 * become signed click redirects, and it gets a one-click unsubscribe link (the SMTP provider puts
 * it in List-Unsubscribe and List-Unsubscribe-Post). Direct sends, campaigns and journeys all call
 * `instrumentEmail`, so every email is tracked the same way.
 *
 * The HTML is parsed with parse5 (the WHATWG parser jsdom uses) and edited in place at the source
 * offsets it reports: only the rewritten href attributes and the pixel change, and everything else
 * (conditional comments for Outlook, odd markup) reaches the recipient byte for byte as written.
 */
import { type DefaultTreeAdapterTypes, parse } from "parse5";
import type { MessageContent } from "../messages/model.js";
import type { Services } from "../services.js";
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

/** Links authors mark with this attribute keep their own href (a view-in-browser link, say). */
const noTrackAttribute = "data-waymark-notrack";

const htmlNamespace = "http://www.w3.org/1999/xhtml";
const linkElements = new Set(["a", "area"]);
const webUrl = /^https?:\/\//i;

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
  const plan = planFor(html);
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

/** Where the edits go in one HTML text: the tracked links' href attributes (in source order) and the pixel. */
interface LinkPlan {
  links: Array<{ start: number; end: number; url: string }>;
  pixelAt: number;
}

/**
 * A campaign renders the same HTML for every recipient without personal variables: the plan of
 * the last few texts is kept, so such a send parses its HTML once rather than once per recipient.
 * Only texts up to 256K characters are kept (64 of them: 16M characters at most).
 */
const plans = new Map<string, LinkPlan>();
const maxPlans = 64;
const maxPlannedLength = 256 * 1024;

function planFor(html: string): LinkPlan {
  const known = plans.get(html);
  if (known) {
    plans.delete(html);
    plans.set(html, known);
    return known;
  }
  const plan = parsePlan(html);
  if (html.length <= maxPlannedLength) {
    plans.set(html, plan);
    if (plans.size > maxPlans) plans.delete(plans.keys().next().value ?? "");
  }
  return plan;
}

function parsePlan(html: string): LinkPlan {
  const document = parse(html, { sourceCodeLocationInfo: true });
  const links: LinkPlan["links"] = [];
  let pixelAt = html.length;
  visit(document, (element) => {
    const location = element.sourceCodeLocation;
    if (!location) return;
    // Parents come before children: a </body> wins over the </html> around it.
    if ((element.tagName === "html" || element.tagName === "body") && location.endTag) {
      pixelAt = location.endTag.startOffset;
    }
    if (!linkElements.has(element.tagName) || element.namespaceURI !== htmlNamespace) return;
    if (element.attrs.some((attribute) => attribute.name === noTrackAttribute)) return;
    const href = element.attrs.find((attribute) => attribute.name === "href")?.value.trim();
    const at = location.attrs?.href;
    if (href && at && webUrl.test(href)) links.push({ start: at.startOffset, end: at.endOffset, url: href });
  });
  // Tree order can differ from source order (a link inside a table is moved before it): number them as written.
  links.sort((a, b) => a.start - b.start);
  return { links, pixelAt };
}

function visit(
  node: DefaultTreeAdapterTypes.ParentNode,
  onElement: (element: DefaultTreeAdapterTypes.Element) => void,
) {
  for (const child of node.childNodes) {
    if ("tagName" in child) {
      onElement(child);
      visit(child, onElement);
    }
  }
}

function pixel(src: string): string {
  return `<img src="${escapeAttribute(src)}" width="1" height="1" alt="" style="border:0;width:1px;height:1px" />`;
}

function escapeAttribute(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
}
