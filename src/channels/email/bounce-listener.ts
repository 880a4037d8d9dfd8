/**
 * An inbound SMTP listener for what mail servers send back: delivery status notifications
 * (bounces, delays, deliveries) and ARF abuse reports (complaints). Point the Return-Path or the
 * feedback loop address of the sending domain at it (through your MTA, or directly); each report
 * about a message Waymark sent becomes its system event. It speaks plain SMTP without AUTH:
 * a report only counts if it quotes the Message-ID of a message Waymark sent, which only the
 * servers and the mailbox the message went through have seen.
 *
 * Where it listens comes from `bounceSmtp` in the configuration (port 0 picks a free one); unset,
 * no listener starts.
 */
import type { AddressInfo } from "node:net";
import type { FastifyBaseLogger as Logger } from "fastify";
import { SMTPServer } from "smtp-server";
import type { Services } from "../../services.js";
import { type EmailFeedback, recordEmailFeedback } from "./feedback.js";
import { readFeedbackReport } from "./feedback-report.js";

/** Enough for a report carrying the whole original message back. */
const maxReportBytes = 10 * 1024 * 1024;

export interface BounceListener {
  port: number;
  close(): Promise<void>;
}

/** An SMTP reply code travels on the error smtp-server answers with. */
function reply(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * Starts the bounce listener if the configuration has `bounceSmtp`; answers undefined otherwise.
 * @example const bounces = await startBounceListener(services, log); ... await bounces?.close();
 */
export async function startBounceListener(services: Services, log: Logger): Promise<BounceListener | undefined> {
  const listen = services.config.bounceSmtp;
  if (!listen) return undefined;
  const server = new SMTPServer({
    name: "waymark",
    banner: "Waymark bounce listener",
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    size: maxReportBytes,
    logger: false,
    onData(stream, _session, callback) {
      let feedback: EmailFeedback[] = [];
      readFeedbackReport(stream)
        .then(
          (read) => {
            feedback = read;
          },
          (error: unknown) => log.warn({ err: error }, "unreadable report: accepted and ignored"),
        )
        .then(async () => {
          if (stream.sizeExceeded) return callback(reply(552, "Report too large"));
          const recorded = await recordEmailFeedback(services, feedback);
          log.info({ reports: feedback.length, recorded }, "email feedback received");
          callback();
        })
        .catch((error: unknown) => {
          log.error({ err: error }, "email feedback not recorded");
          callback(reply(451, "Temporary failure, try again later"));
        });
    },
  });
  server.on("error", (error) => log.error({ err: error }, "bounce listener error"));
  const { host, port } = listen;
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(port, host, () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const address = server.server.address() as AddressInfo;
  log.info({ host, port: address.port }, "bounce listener ready");
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
