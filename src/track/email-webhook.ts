/**
 * POST /webhooks/email/events: bounce, complaint and delivery notifications from an email
 * provider that reports by HTTP, in Amazon SES's JSON: posted by SNS (its envelope, with the
 * subscription confirmed automatically) or the bare notification.
 *
 * Every request must carry the shared secret from WAYMARK_WEBHOOK_SECRET, either in the
 * X-Waymark-Webhook-Secret header or as the password of HTTP basic auth (SNS can only do the
 * latter: subscribe https://waymark:SECRET@host/webhooks/email/events). Without the secret set,
 * the webhook refuses everything.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { request as httpRequest } from "undici";
import { recordEmailFeedback } from "../channels/email/feedback.js";
import { sesFeedback } from "../channels/email/ses-notification.js";
import type { RegisterPublicRoutes } from "./routes.js";

/** SNS messages are at most 256 KB; the envelope adds a little. */
const bodyLimit = 512 * 1024;

export const emailWebhook: RegisterPublicRoutes = async (app, services) => {
  const secret = services.config.webhookSecret;
  // Its own scope: SNS posts JSON as text/plain, and that parser must not leak to other public routes.
  await app.register(async (scope: FastifyInstance) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string", bodyLimit }, (_request, body, done) => done(null, body));

    scope.post("/webhooks/email/events", async (request: FastifyRequest<{ Body: string }>, reply) => {
      if (!secret) return refuse(reply, 403, "The email events webhook is off: set webhookSecret in the configuration");
      if (!authorized(request, secret)) return refuse(reply, 403, "Missing or wrong webhook secret");
      let body: unknown;
      try {
        body = JSON.parse(request.body);
      } catch {
        return refuse(reply, 400, "The body is not JSON");
      }
      const envelope = snsEnvelope(body);
      if (envelope?.Type === "SubscriptionConfirmation") {
        const failure = await confirmSubscription(envelope.SubscribeURL);
        return failure ? refuse(reply, 502, failure) : reply.code(200).send({ confirmed: true });
      }
      if (envelope && envelope.Type !== "Notification") return reply.code(200).send({ recorded: 0 });
      let feedback: ReturnType<typeof sesFeedback>;
      try {
        feedback = sesFeedback(envelope ? JSON.parse(envelope.Message ?? "") : body);
      } catch (error) {
        return refuse(reply, 400, error instanceof Error ? error.message : "Not an SES notification");
      }
      return reply.code(200).send({ recorded: await recordEmailFeedback(services, feedback) });
    });
  });
};

interface SnsEnvelope {
  Type: string;
  Message?: string;
  SubscribeURL?: string;
}

/** SNS wraps what it delivers in an envelope with Type; SES's own JSON has no Type. */
function snsEnvelope(body: unknown): SnsEnvelope | undefined {
  if (typeof body !== "object" || body === null || !("Type" in body) || typeof body.Type !== "string") return undefined;
  return body as SnsEnvelope;
}

/** SNS sends nothing until the endpoint visits the SubscribeURL of its confirmation; answers what went wrong, if anything. */
async function confirmSubscription(subscribeUrl: string | undefined): Promise<string | undefined> {
  if (!subscribeUrl || !/^https?:\/\//.test(subscribeUrl)) return "The confirmation has no SubscribeURL";
  try {
    const response = await httpRequest(subscribeUrl, { method: "GET", headersTimeout: 10_000, bodyTimeout: 10_000 });
    await response.body.dump();
    return response.statusCode < 300 ? undefined : `SubscribeURL answered ${response.statusCode}`;
  } catch (error) {
    return `SubscribeURL could not be reached: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function authorized(request: FastifyRequest, secret: string): boolean {
  const header = request.headers["x-waymark-webhook-secret"];
  const given = typeof header === "string" ? header : basicAuthPassword(request.headers.authorization);
  return given !== undefined && sameSecret(given, secret);
}

function basicAuthPassword(authorization: string | undefined): string | undefined {
  const encoded = /^Basic\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/** Compared as digests, in constant time, so neither the length nor a prefix leaks. */
function sameSecret(given: string, secret: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

function refuse(reply: FastifyReply, code: number, message: string) {
  return reply.code(code).type("text/plain; charset=utf-8").send(message);
}
