/**
 * Email over SMTP (config.providers.email: { type: "smtp", url, maxConnections }) through one
 * nodemailer connection pool per Waymark process. A batch goes into the pool all at once; the
 * pool spreads it over its connections, and each message comes back with its own outcome.
 */
import { setMaxListeners } from "node:events";
import nodemailer, { type NodemailerError, type Transporter } from "nodemailer";
import type { Config } from "../../config.js";
import type { DeliveryOutcome, OutboundMessage } from "../../messages/model.js";
import type { Services } from "../../services.js";
import type { ChannelProvider } from "../provider.js";
import type { ProviderFactory } from "../registry.js";
import { composeMail } from "./compose-mail.js";
import { accepted, refused } from "./smtp-outcome.js";

type SmtpConfig = NonNullable<Config["providers"]["email"]>;

/**
 * A batch must end well within the dispatcher's two-minute lease, or its messages would be
 * settled as interrupted while still being sent. Messages still queued in the pool when this
 * runs out fail as TEMPORARY_FAILURE and are retried later.
 */
const batchDeadlineMs = 60_000;

interface SharedPool {
  transport: Transporter;
  users: number;
}

/**
 * Every application's email provider shares its process's pool: maxConnections bounds what the
 * process opens, whatever the number of applications. Closing the last provider closes the pool.
 */
const pools = new WeakMap<Services, SharedPool>();

function openPool(config: SmtpConfig): Transporter {
  try {
    return nodemailer.createTransport({
      url: config.url,
      pool: true,
      maxConnections: config.maxConnections,
      // Reconnecting every 100 messages (nodemailer's default) costs more than it protects against.
      maxMessages: 10_000,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  } catch {
    // The URL holds credentials: the error about it must not carry it into a log.
    throw new Error("config.providers.email.url is not a valid smtp:// or smtps:// URL");
  }
}

export class SmtpProvider implements ChannelProvider {
  private closed = false;

  constructor(
    private readonly services: Services,
    private readonly pool: SharedPool,
  ) {}

  /** The provider of one application, on its process's pool (opened on first use). */
  static open(services: Services, config: SmtpConfig): SmtpProvider {
    let pool = pools.get(services);
    if (!pool) {
      pool = { transport: openPool(config), users: 0 };
      pools.set(services, pool);
    }
    pool.users += 1;
    return new SmtpProvider(services, pool);
  }

  async send(messages: OutboundMessage[]): Promise<DeliveryOutcome[]> {
    const signal = AbortSignal.timeout(batchDeadlineMs);
    // Every message of the batch listens to the one deadline.
    setMaxListeners(0, signal);
    return Promise.all(messages.map((message) => this.sendOne(message, signal)));
  }

  private async sendOne(message: OutboundMessage, signal: AbortSignal): Promise<DeliveryOutcome> {
    if (message.content.kind !== "email") {
      return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: "Not an email message" };
    }
    const { options, messageId } = composeMail(message, message.content);
    try {
      const info = await this.pool.transport.sendMail({ ...options, signal });
      return accepted(messageId, String(info.response ?? ""));
    } catch (error) {
      return refused(error as NodemailerError);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pool.users -= 1;
    if (this.pool.users > 0) return;
    pools.delete(this.services);
    this.pool.transport.close();
  }
}

/** Email goes over SMTP when config.providers.email is set; otherwise to the sandbox. */
export const smtpProviderFactory: ProviderFactory = ({ services }) => {
  const config = services.config.providers.email;
  return config ? SmtpProvider.open(services, config) : undefined;
};
