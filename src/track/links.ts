/**
 * The tracking links in an email: the open pixel (`/t/o/<token>.gif`), click redirects
 * (`/t/c/<token>`) and the unsubscribe link (`/t/u/<token>`), all under config.publicUrl. A token
 * carries everything its request needs (which app, message and recipient, and for a click where
 * it leads), signed, so answering a link needs no lookup and nobody can forge or redirect one.
 */
import { signToken, verifyToken } from "./signing.js";

/** Who a link was sent to: the endpoint when the send named one, else the bare address (one is always set). */
export interface LinkRecipient {
  appId: string;
  messageId: string;
  endpointId?: string;
  address?: string;
}

export type TrackedLink =
  | (LinkRecipient & { kind: "open" })
  | (LinkRecipient & { kind: "click"; url: string; index: number })
  | (LinkRecipient & { kind: "unsubscribe" });

export type LinkKind = TrackedLink["kind"];

const paths: Record<LinkKind, string> = { open: "/t/o/", click: "/t/c/", unsubscribe: "/t/u/" };
const suffixes: Record<LinkKind, string> = { open: ".gif", click: "", unsubscribe: "" };
/** One letter per kind in the payload, so a token signed for one kind of link is refused as another. */
const kindCodes: Record<LinkKind, string> = { open: "o", click: "c", unsubscribe: "u" };

/** The signed payload, with short keys because it travels in every link of every email. */
interface Payload {
  k: string;
  a: string;
  m: string;
  e?: string;
  d?: string;
  u?: string;
  i?: number;
}

/**
 * The URL of a tracking link, signed with `key`.
 * @example linkUrl("https://mail.example.com", key, { kind: "open", appId, messageId, endpointId })
 * // "https://mail.example.com/t/o/eyJr....gif"
 */
export function linkUrl(publicUrl: string, key: Buffer, link: TrackedLink): string {
  const payload: Payload = { k: kindCodes[link.kind], a: link.appId, m: link.messageId };
  if (link.endpointId) payload.e = link.endpointId;
  else if (link.address) payload.d = link.address;
  if (link.kind === "click") {
    payload.u = link.url;
    payload.i = link.index;
  }
  const base = publicUrl.replace(/\/+$/, "");
  return `${base}${paths[link.kind]}${signToken(key, JSON.stringify(payload))}${suffixes[link.kind]}`;
}

/**
 * The link a token (the last path segment, `.gif` included for the pixel) stands for, or
 * undefined when it is not a `kind` link this key signed. Callers answer every undefined alike.
 * @example readLink(key, "click", request.params["*"])
 */
export function readLink(key: Buffer, kind: LinkKind, segment: string): TrackedLink | undefined {
  const suffix = suffixes[kind];
  if (!segment.endsWith(suffix)) return undefined;
  const signed = verifyToken(key, segment.slice(0, segment.length - suffix.length));
  if (signed === undefined) return undefined;
  const payload = parsePayload(signed);
  if (!payload || payload.k !== kindCodes[kind]) return undefined;
  const recipient: LinkRecipient = { appId: payload.a, messageId: payload.m };
  if (payload.e !== undefined) recipient.endpointId = payload.e;
  if (payload.d !== undefined) recipient.address = payload.d;
  if (kind === "click") {
    if (payload.u === undefined || payload.i === undefined) return undefined;
    return { ...recipient, kind, url: payload.u, index: payload.i };
  }
  return { ...recipient, kind };
}

/** Only Waymark signs payloads, but a key shared with an older version must not crash a request. */
function parsePayload(text: string): Payload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { k, a, m, e, d, u, i } = value as Record<string, unknown>;
  if (typeof k !== "string" || typeof a !== "string" || typeof m !== "string") return undefined;
  if (typeof e !== "string" && typeof d !== "string") return undefined;
  if ((e !== undefined && typeof e !== "string") || (d !== undefined && typeof d !== "string")) return undefined;
  if ((u !== undefined && typeof u !== "string") || (i !== undefined && typeof i !== "number")) return undefined;
  return { k, a, m, e, d, u, i };
}
