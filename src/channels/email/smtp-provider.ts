/**
 * Email over SMTP (config.providers.email: { type: "smtp", url, maxConnections }) through one
 * connection pool per Waymark process. A batch is worked through by as many senders as the pool
 * has connections, and each message comes back with its own outcome.
 */
import { setMaxListeners } from "node:events";
import type { NodemailerError } from "nodemailer";
import type { Config } from "../../config.js";
import type { DeliveryOutcome, OutboundMessage } from "../../messages/model.js";
import type { Services } from "../../services.js";
import type { ChannelProvider } from "../provider.js";
import type { ProviderFactory } from "../registry.js";
import { type ComposedMail, composeMail } from "./compose-mail.js";
import { accepted, refused } from "./smtp-outcome.js";
import { SmtpConnectionPool } from "./smtp-pool.js";

type SmtpConfig = NonNullable<Config["providers"]["email"]>;

/**
 * A batch must end well within the dispatcher's two-minute lease, or its messages would be
 * settled as interrupted while still being sent. Messages still waiting for a connection when
 * this runs out fail as TEMPORARY_FAILURE and are retried later.
 */
const batchDeadlineMs = 60_000;

interface SharedPool {
  pool: SmtpConnectionPool;
  /** How many messages of a batch are in the pool's hands at once: one per connection. */
  connections: number;
  users: number;
}

/**
 * Every application's email provider shares its process's pool: maxConnections bounds what the
 * process opens, whatever the number of applications. Closing the last provider closes the pool.
 */
const pools = new WeakMap<Services, SharedPool>();

function openPool(config: SmtpConfig): SmtpConnectionPool {
  try {
    return new SmtpConnectionPool(config.url, config.maxConnections);
  } catch {
    // The URL holds credentials: the error about it must not carry it into a log.
    throw new Error("config.providers.email.url is not a valid smtp:// or smtps:// URL");
  }
}

export class SmtpProvider implements ChannelProvider {
  private closed = false;

  constructor(
    private readonly services: Services,
    private readonly shared: SharedPool,
  ) {}

  /** The provider of one application, on its process's pool (opened on first use). */
  static open(services: Services, config: SmtpConfig): SmtpProvider {
    let shared = pools.get(services);
    if (!shared) {
      shared = { pool: openPool(config), connections: config.maxConnections, users: 0 };
      pools.set(services, shared);
    }
    shared.users += 1;
    return new SmtpProvider(services, shared);
  }

  /**
   * One sender per pool connection works through the batch, composing each message only when it
   * is its turn: the batch never holds more finished messages than there are connections to take
   * them, which keeps a 500-message batch from living long enough to crowd the old generation.
   */
  async send(messages: OutboundMessage[]): Promise<DeliveryOutcome[]> {
    const signal = AbortSignal.timeout(batchDeadlineMs);
    setMaxListeners(0, signal);
    const outcomes: DeliveryOutcome[] = new Array(messages.length);
    let next = 0;
    const sender = async () => {
      while (next < messages.length) {
        const i = next++;
        outcomes[i] = await this.sendOne(messages[i], signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.shared.connections, messages.length) }, sender));
    return outcomes;
  }

  private async sendOne(message: OutboundMessage, signal: AbortSignal): Promise<DeliveryOutcome> {
    if (message.content.kind !== "email") {
      return { status: "PERMANENT_FAILURE", statusCode: 400, statusMessage: "Not an email message" };
    }
    let mail: ComposedMail;
    try {
      mail = composeMail(message, message.content);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        status: "PERMANENT_FAILURE",
        statusCode: 400,
        statusMessage: `Not a valid email: ${reason}`.slice(0, 200),
      };
    }
    try {
      const reply = await this.shared.pool.send(mail.envelope, mail.raw, signal);
      return accepted(mail.messageId, reply);
    } catch (error) {
      return refused(error as NodemailerError);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.shared.users -= 1;
    if (this.shared.users > 0) return;
    pools.delete(this.services);
    this.shared.pool.close();
  }
}

/** Email goes over SMTP when config.providers.email is set; otherwise to the sandbox. */
export const smtpProviderFactory: ProviderFactory = ({ services }) => {
  const config = services.config.providers.email;
  return config ? SmtpProvider.open(services, config) : undefined;
};
