/**
 * One SMPP session to the SMSC (config.providers.sms: { type: "smpp", url, systemId, password }),
 * bound as a transceiver so it both submits messages and receives deliver_sm (receipts and inbound
 * messages). It stays bound: enquire_link every 30 s, a link that stops answering is dropped, and a
 * dropped link reconnects with backoff (1 s doubling to 60 s). The process shares one link between
 * the sending providers and the inbound listener; the last to release it unbinds and closes it.
 */
import type { FastifyBaseLogger as Logger } from "fastify";
import smpp from "smpp";
import type { Config } from "../../config.js";

export type SmppConfig = Extract<NonNullable<Config["providers"]["sms"]>, { type: "smpp" }>;

/**
 * How a submit went. `not-sent`: it never left (no bound session), safe to retry. `unanswered`:
 * it may have reached the SMSC, so sending it again could deliver it twice.
 */
export type SubmitResult =
  | { kind: "answered"; commandStatus: number; messageId?: string }
  | { kind: "not-sent"; reason: string }
  | { kind: "unanswered"; reason: string };

/** Handles a deliver_sm and answers the command_status of its deliver_sm_resp. */
export type DeliverHandler = (pdu: smpp.PDU, logger: Logger | undefined) => Promise<number>;

const enquireLinkMs = 30_000;
const firstRetryMs = 1_000;
const lastRetryMs = 60_000;
/** How long a submit waits for the session to be bound before it gives up (and is retried later). */
const bindWaitMs = 5_000;
/** How long a submit waits for its submit_sm_resp. */
const responseTimeoutMs = 30_000;
const unbindWaitMs = 1_000;

export class SmppLink {
  private session: smpp.Session | undefined;
  private bound = false;
  private users = 0;
  private retryMs = firstRetryMs;
  private retryTimer: NodeJS.Timeout | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private lastProblem = "not connected yet";
  /** Submits waiting for a bound session. */
  private waiting = new Set<() => void>();
  /** Submits waiting for their response, failed at once if the session drops. */
  private inFlight = new Set<(reason: string) => void>();
  /** Where connection problems are reported; the inbound listener sets it at start-up. */
  logger: Logger | undefined;

  constructor(
    private readonly config: SmppConfig,
    private readonly onDeliver: DeliverHandler,
  ) {}

  /** Takes a share of the link, connecting it if it was idle. */
  acquire(): void {
    this.users += 1;
    if (this.users === 1) this.connect();
  }

  /** Gives a share back; the last one unbinds and closes the session. */
  async release(): Promise<void> {
    this.users -= 1;
    if (this.users === 0) await this.shutdown();
  }

  /** Sends one submit_sm and waits for its response. */
  async submit(options: smpp.PduOptions): Promise<SubmitResult> {
    const session = await this.boundSession();
    if (!session) return { kind: "not-sent", reason: `The SMPP session is not bound: ${this.lastProblem}` };
    return new Promise<SubmitResult>((resolve) => {
      const fail = (reason: string) => {
        clearTimeout(timer);
        this.inFlight.delete(fail);
        resolve({ kind: "unanswered", reason });
      };
      const timer = setTimeout(() => fail("No submit_sm_resp in time"), responseTimeoutMs);
      this.inFlight.add(fail);
      const written = session.send(new smpp.PDU("submit_sm", options), (response) => {
        clearTimeout(timer);
        this.inFlight.delete(fail);
        resolve({ kind: "answered", commandStatus: response.command_status, messageId: response.message_id });
      });
      if (!written) {
        clearTimeout(timer);
        this.inFlight.delete(fail);
        resolve({ kind: "not-sent", reason: "The SMPP connection is not writable" });
      }
    });
  }

  private connect(): void {
    const secure = this.config.url.startsWith("smpps://");
    // The package names the TLS scheme ssmpp://.
    const url = secure ? this.config.url.replace(/^smpps:/, "ssmpp:") : this.config.url;
    const session = smpp.connect({ url });
    this.session = session;
    session.on(secure ? "secureConnect" : "connect", () => this.bind(session));
    session.on("enquire_link", (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on("unbind", (pdu: smpp.PDU) => {
      this.bound = false;
      session.send(pdu.response());
      session.close();
    });
    session.on("deliver_sm", (pdu: smpp.PDU) => this.deliver(session, pdu));
    session.on("unknown", (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on("error", (error: Error) => this.problem(`SMPP connection error: ${error.message}`));
    session.on("close", () => this.dropped(session));
  }

  private bind(session: smpp.Session): void {
    const credentials = {
      system_id: this.config.systemId,
      password: this.config.password,
      system_type: this.config.systemType,
    };
    session.bind_transceiver(credentials, (response) => {
      if (response.command_status !== 0) {
        this.problem(`The SMSC refused bind_transceiver with status ${response.command_status}`);
        session.destroy();
        return;
      }
      this.bound = true;
      this.retryMs = firstRetryMs;
      this.lastProblem = "";
      this.startKeepalive(session);
      for (const wake of this.waiting) wake();
    });
  }

  /** enquire_link on a timer; a link that has not answered the previous one by the next is dead. */
  private startKeepalive(session: smpp.Session): void {
    let answered = true;
    this.keepalive = setInterval(() => {
      if (!answered) {
        this.problem("The SMSC stopped answering enquire_link");
        session.destroy();
        return;
      }
      answered = false;
      session.enquire_link({}, () => {
        answered = true;
      });
    }, enquireLinkMs);
  }

  private deliver(session: smpp.Session, pdu: smpp.PDU): void {
    this.onDeliver(pdu, this.logger).then(
      (commandStatus) => session.send(pdu.response({ command_status: commandStatus })),
      (error: unknown) => {
        this.logger?.error({ err: error }, "an SMPP deliver_sm could not be recorded; the SMSC will offer it again");
        session.send(pdu.response({ command_status: smpp.errors.ESME_RX_T_APPN }));
      },
    );
  }

  private dropped(session: smpp.Session): void {
    if (this.session !== session) return;
    this.session = undefined;
    this.bound = false;
    clearInterval(this.keepalive);
    for (const fail of this.inFlight) fail("The SMPP connection closed before the SMSC answered");
    if (this.users === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.users > 0) this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, lastRetryMs);
  }

  private problem(message: string): void {
    this.lastProblem = message;
    this.logger?.warn(message);
  }

  private async boundSession(): Promise<smpp.Session | undefined> {
    if (!this.bound && this.users > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiting.delete(done);
          resolve();
        };
        const timer = setTimeout(done, bindWaitMs);
        this.waiting.add(done);
      });
    }
    return this.bound ? this.session : undefined;
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const wake of this.waiting) wake();
    const session = this.session;
    if (!session) return;
    if (this.bound) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, unbindWaitMs);
        session.unbind({}, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, unbindWaitMs);
      session.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      session.destroy();
    });
  }
}
