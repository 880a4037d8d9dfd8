/**
 * SMS providers calling back. Twilio (when config.providers.sms is Twilio): the status callback
 * each message names brings its delivery receipt (POST /webhooks/sms/twilio/status), and the
 * number's incoming-message webhook brings inbound SMS (POST /webhooks/sms/twilio/inbound, with
 * `?app=<ApplicationId>` to name the app; without it the number decides, see docs/sms.md). Each
 * request must carry a valid X-Twilio-Signature: one that does not gets 403 and records nothing.
 * SMPP (when config.providers.sms is SMPP): the link is bound at start-up so deliver_sm PDUs
 * (receipts and inbound messages) arrive from the start, and let go at shutdown.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  listenForSmpp,
  receiveSms,
  recordDeliveryReceipt,
  twilioInboundPath,
  twilioInboundSms,
  twilioReceipt,
  twilioStatusPath,
  verifyTwilioSignature,
} from "../channels/sms/index.js";
import type { RegisterPublicRoutes } from "./routes.js";

/** Twilio's callbacks are small forms. */
const formLimit = 64 * 1024;
/** What Twilio expects from an incoming-message webhook that sends no reply of its own (replies go through the pipeline). */
const emptyTwiml = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

type CallbackRequest = FastifyRequest<{ Querystring: Record<string, string | undefined>; Body: URLSearchParams }>;

export const smsWebhooks: RegisterPublicRoutes = async (app, services) => {
  const release = listenForSmpp(services, app.log.child({ component: "smpp" }));
  if (release) app.addHook("onClose", release);

  const twilio = services.config.providers.sms;
  if (twilio?.type !== "twilio") return;
  const publicUrl = services.config.publicUrl.replace(/\/+$/, "");
  /** The URL Twilio called, as it signed it: the public address and the path with its query. */
  const signed = (request: CallbackRequest) =>
    verifyTwilioSignature(
      `${publicUrl}${request.url}`,
      request.body,
      twilio.authToken,
      request.headers["x-twilio-signature"]?.toString(),
    );

  // Its own scope: the form parser must not leak to other public routes.
  await app.register(async (scope: FastifyInstance) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: formLimit },
      (_request, body, done) => done(null, new URLSearchParams(body.toString())),
    );

    scope.post(twilioStatusPath, async (request: CallbackRequest, reply) => {
      if (!signed(request)) return forbidden(reply);
      const receipt = twilioReceipt(request.body, request.query.message);
      if (receipt) await recordDeliveryReceipt(services, receipt);
      return reply.code(204).send();
    });

    scope.post(twilioInboundPath, async (request: CallbackRequest, reply) => {
      if (!signed(request)) return forbidden(reply);
      const sms = twilioInboundSms(request.body, request.query.app);
      if (!sms) return reply.code(400).type("text/plain; charset=utf-8").send("From, To and MessageSid are required");
      const received = await receiveSms(services, sms);
      if (!received) request.log.warn("an inbound SMS matched no application and was dropped");
      return reply.type("text/xml; charset=utf-8").send(emptyTwiml);
    });
  });
};

function forbidden(reply: FastifyReply) {
  return reply.code(403).type("text/plain; charset=utf-8").send("Invalid X-Twilio-Signature");
}
