/**
 * What happens when someone reaches a tracking link (see links.ts): the open pixel records
 * `_email.open` and answers a 1x1 GIF, a click records `_email.click` and redirects, and the
 * unsubscribe link opts the recipient out (RFC 8058 one-click POST, or the button on its page)
 * and records `_email.unsubscribe`. Events go through recordSystemEvents with the attributes
 * Pinpoint puts on them (`feedback`, and the campaign or journey that sent the message), so
 * segments, journeys and the event stream see them as Pinpoint's.
 *
 * A link that is malformed, altered, signed with another key or for an app that is gone gets the
 * same 404 whatever was wrong, and records nothing. HEAD requests (link scanners, prefetchers)
 * get the same answer but record nothing either.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { MessageOrigin } from "../messages/model.js";
import { optOut } from "../messages/opt-outs.js";
import { originAttributes, recordSystemEvents, type SystemEvent } from "../messages/system-events.js";
import type { Services } from "../services.js";
import { type Database, fromJson } from "../store/index.js";
import { type LinkKind, readLink, type TrackedLink } from "./links.js";
import type { RegisterPublicRoutes } from "./routes.js";
import { signingKey } from "./signing.js";

/** The smallest transparent GIF: 1x1, one transparent colour. */
const transparentGif = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

/** Wildcards, not `:token` params: a click token carries its URL and outgrows Fastify's 100-character param limit. */
type LinkRequest = FastifyRequest<{ Params: { "*": string } }>;

export const trackingRoutes: RegisterPublicRoutes = async (app, services) => {
  // Its own scope: the unsubscribe POST takes any body type, which must not leak to other public routes.
  await app.register(async (scope: FastifyInstance) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: 16 * 1024 }, (_request, body, done) =>
      done(null, body),
    );

    scope.get("/t/o/*", async (request: LinkRequest, reply) => {
      const link = await openLink(services, "open", request);
      if (!link) return refuse(reply);
      if (request.method === "GET") await recordEngagement(services, link, "_email.open", "opened");
      return reply
        .header("cache-control", "no-cache, no-store, must-revalidate, private, max-age=0")
        .header("pragma", "no-cache")
        .header("expires", "0")
        .type("image/gif")
        .send(transparentGif);
    });

    scope.get("/t/c/*", async (request: LinkRequest, reply) => {
      const link = await openLink(services, "click", request);
      if (link?.kind !== "click") return refuse(reply);
      if (request.method === "GET") await recordEngagement(services, link, "_email.click", link.url);
      return privateReply(reply).redirect(link.url, 302);
    });

    scope.get("/t/u/*", async (request: LinkRequest, reply) => {
      const link = await openLink(services, "unsubscribe", request);
      if (!link) return refuse(reply);
      return privateReply(reply).type("text/html; charset=utf-8").send(confirmationPage);
    });

    scope.post("/t/u/*", async (request: LinkRequest, reply) => {
      const link = await openLink(services, "unsubscribe", request);
      if (!link) return refuse(reply);
      if (!(await isOneClick(request))) {
        return privateReply(reply)
          .code(400)
          .type("text/plain; charset=utf-8")
          .send("An unsubscribe request carries List-Unsubscribe=One-Click.");
      }
      await unsubscribe(services, link);
      return privateReply(reply).type("text/html; charset=utf-8").send(unsubscribedPage);
    });
  });
};

/** The link a request names, if it is a genuine one of this kind for an app that still exists. */
async function openLink(services: Services, kind: LinkKind, request: LinkRequest): Promise<TrackedLink | undefined> {
  const link = readLink(await signingKey(services), kind, request.params["*"]);
  if (!link) return undefined;
  const app = await services.store.db.selectFrom("apps").select("id").where("id", "=", link.appId).executeTakeFirst();
  return app ? link : undefined;
}

/** The same answer for every link Waymark will not honour, so probing learns nothing. */
function refuse(reply: FastifyReply): FastifyReply {
  return privateReply(reply).code(404).type("text/plain; charset=utf-8").send("Not found");
}

/** Tracking answers are personal: never cached, never indexed, and no token leaks in a Referer. */
function privateReply(reply: FastifyReply): FastifyReply {
  return reply
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .header("x-robots-tag", "noindex, nofollow");
}

/** RFC 8058: the POST body is a form (urlencoded or multipart) with List-Unsubscribe=One-Click. */
async function isOneClick(request: FastifyRequest): Promise<boolean> {
  const contentType = request.headers["content-type"];
  if (!contentType || !Buffer.isBuffer(request.body)) return false;
  try {
    const form = await new Request("http://waymark.invalid/", {
      method: "POST",
      headers: { "content-type": contentType },
      body: request.body,
    }).formData();
    return form.get("List-Unsubscribe") === "One-Click";
  } catch {
    return false;
  }
}

/** Records an open or a click: every one of them, in one transaction with its stream record. */
async function recordEngagement(
  services: Services,
  link: TrackedLink,
  eventType: string,
  feedback: string,
): Promise<void> {
  const queued = await services.store.db.transaction().execute(async (trx) => {
    const message = await sentMessage(trx, link);
    return recordSystemEvents(trx, services, [await trackingEvent(trx, link, eventType, feedback, message?.origin)]);
  });
  if (queued > 0) services.wake.stream();
}

/**
 * Opts the recipient out and records `_email.unsubscribe` once: a second request for the same
 * recipient (the button after the mail client's one-click, a retry) changes and records nothing.
 */
async function unsubscribe(services: Services, link: TrackedLink): Promise<void> {
  const queued = await services.store.db.transaction().execute(async (trx) => {
    const message = await sentMessage(trx, link);
    if (!(await optOutRecipient(trx, link, message?.address))) return 0;
    return recordSystemEvents(trx, services, [
      await trackingEvent(trx, link, "_email.unsubscribe", "unsubscribed", message?.origin),
    ]);
  });
  if (queued > 0) services.wake.stream();
}

/**
 * Sets the endpoint's OptOut to ALL; with no endpoint (a bare address, or an endpoint deleted
 * since) the address opts out instead. A conditional update, so of two concurrent requests one
 * changes the row and the other sees it changed. Answers whether anything changed.
 */
async function optOutRecipient(db: Kysely<Database>, link: TrackedLink, sentTo: string | undefined): Promise<boolean> {
  if (link.endpointId) {
    const endpoint = await db
      .selectFrom("endpoints")
      .select("opt_out")
      .where("app_id", "=", link.appId)
      .where("id", "=", link.endpointId)
      .executeTakeFirst();
    if (endpoint) {
      // OptOut only: an unsubscribe is not the person using the app, so EffectiveDate (what segment
      // recency reads) stays as the app last set it.
      const updated = await db
        .updateTable("endpoints")
        .set({ opt_out: "ALL" })
        .where("app_id", "=", link.appId)
        .where("id", "=", link.endpointId)
        .where("opt_out", "<>", "ALL")
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) > 0;
    }
  }
  const address = link.address ?? sentTo;
  return address ? optOut(db, link.appId, "EMAIL", address) : false;
}

/** What the outbox still holds of the message: where it came from, for the event's attributes. */
async function sentMessage(
  db: Kysely<Database>,
  link: TrackedLink,
): Promise<{ origin: MessageOrigin; address: string } | undefined> {
  const row = await db
    .selectFrom("messages")
    .select(["origin", "address"])
    .where("id", "=", link.messageId)
    .where("app_id", "=", link.appId)
    .executeTakeFirst();
  return row ? { origin: fromJson<MessageOrigin>(row.origin), address: row.address } : undefined;
}

/**
 * The event for one open, click or unsubscribe. recordSystemEvents identifies an event by message
 * and type, which keeps the first of each per message under that identity (so "was it opened" is
 * one lookup); later ones get an identity of their own so each is recorded, and their `message_id`
 * attribute still names the message.
 */
async function trackingEvent(
  db: Kysely<Database>,
  link: TrackedLink,
  eventType: string,
  feedback: string,
  origin: MessageOrigin | undefined,
): Promise<SystemEvent> {
  const endpointId = link.endpointId ?? link.address ?? "";
  const first = await db
    .selectFrom("events")
    .select("seq")
    .where("app_id", "=", link.appId)
    .where("endpoint_id", "=", endpointId)
    .where("event_id", "=", `${link.messageId}:${eventType}`)
    .executeTakeFirst();
  return {
    appId: link.appId,
    endpointId,
    messageId: first ? `${link.messageId}:${randomUUID()}` : link.messageId,
    eventType,
    timestampMs: Date.now(),
    attributes: { ...originAttributes(origin ?? {}), feedback, message_id: link.messageId },
  };
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}button{font:inherit;padding:.5rem 1.25rem;cursor:pointer}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;

/** A GET never unsubscribes (mail scanners follow links): the button POSTs the RFC 8058 form. */
const confirmationPage = page(
  "Unsubscribe",
  `<h1>Unsubscribe</h1>
<p>Stop receiving these emails?</p>
<form method="post">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>`,
);

const unsubscribedPage = page(
  "Unsubscribed",
  "<h1>You are unsubscribed</h1>\n<p>You will not get these emails any more.</p>",
);
