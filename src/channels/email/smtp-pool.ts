/**
 * A pool of SMTP connections (nodemailer's SMTPConnection: EHLO, STARTTLS, AUTH, pipelined
 * envelopes, dot-stuffing) that takes finished messages. nodemailer's own pooled transport goes
 * through its Mailer first (plugins, a MIME tree and a stream pipeline for every message, even a
 * raw one): measured on a local sink that cost 0.35 ms of CPU per message against 0.1 ms for the
 * connection alone, and capped a Waymark process well below 2,000 emails/s.
 *
 * What it keeps from nodemailer's pool: at most maxConnections connections, reused for up to
 * 10,000 messages each; a refused message leaves its connection usable (RSET); a message whose
 * reused connection turns out to have been dropped, before any of it was sent, goes out once
 * more on a fresh connection. Idle connections close themselves after the socket timeout.
 */
import { Readable } from "node:stream";
import type { NodemailerError, SMTPConnectionOptions } from "nodemailer";
import { isTransientError } from "nodemailer/lib/errors";
import { parseConnectionUrl } from "nodemailer/lib/shared";
import SMTPConnection from "nodemailer/lib/smtp-connection";

const maxMessagesPerConnection = 10_000;
const timeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export interface SmtpEnvelope {
  from: string;
  to: string[];
}

interface Lane {
  connection: SMTPConnection;
  sent: number;
  /** Ended by either side: never handed out again. */
  ended: boolean;
}

/** A message waiting for a connection. A connection given to one that gave up goes back to the pool. */
interface Waiter {
  give(lane: Lane): void;
  fail(error: Error): void;
}

function timedOut(message: string): Error {
  return Object.assign(new Error(message), { code: "ETIMEDOUT" });
}

export class SmtpConnectionPool {
  private readonly connectionOptions: SMTPConnectionOptions;
  private readonly auth: { user: string; pass: string } | undefined;
  private readonly idle: Lane[] = [];
  private readonly waiting: Waiter[] = [];
  /** Connections open or opening. */
  private open = 0;
  private closed = false;

  /** Throws on a URL nodemailer cannot read; the error never repeats the URL, which holds credentials. */
  constructor(
    url: string,
    private readonly maxConnections: number,
  ) {
    const { auth, ...options } = parseConnectionUrl(url);
    if (!options.host) throw new Error("The SMTP URL names no host");
    this.auth = auth;
    this.connectionOptions = { ...(options as SMTPConnectionOptions), ...timeouts };
  }

  /**
   * Sends one finished message and answers the server's reply to it. Fails with nodemailer's
   * error (responseCode, command) when the server refuses it or the connection fails; the signal
   * gives up on it, closing its connection if the server is still holding it.
   * @example const reply = await pool.send({ from: "news@example.com", to: ["a@example.net"] }, mime, signal);
   */
  async send(envelope: SmtpEnvelope, message: string, signal: AbortSignal): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      // The retry takes a new connection: the idle ones may have been dropped by the same restart.
      const lane = await this.acquire(signal, attempt > 1);
      // Read only once the server has answered DATA: until then the message costs no buffer, and
      // whether it was read tells whether any of it went out.
      const body = new Readable({
        read() {
          this.push(message);
          this.push(null);
        },
      });
      try {
        const reply = await this.sendOn(lane, envelope, body, signal);
        lane.sent += 1;
        this.release(lane);
        return reply;
      } catch (error) {
        const failure = error as NodemailerError;
        const droppedBeforeSending = lane.sent > 0 && !body.readableDidRead && isTransientError(failure);
        this.afterFailure(lane, failure);
        if (attempt === 1 && droppedBeforeSending && !signal.aborted) continue;
        throw failure;
      }
    }
  }

  /** Ends every connection; messages still waiting for one fail. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.fail(new Error("The SMTP pool is closed"));
    for (const lane of this.idle.splice(0)) this.discard(lane);
  }

  private sendOn(lane: Lane, envelope: SmtpEnvelope, body: Readable, signal: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | null, reply?: string) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve(reply ?? "");
      };
      // The server may have the message already: giving up can lose the answer, never the send.
      const onAbort = () => {
        this.discard(lane);
        settle(timedOut("No answer from the SMTP server in time"));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      lane.connection.send(envelope, body, (error, info) => settle(error, info?.response));
    });
  }

  private acquire(signal: AbortSignal, fresh: boolean): Promise<Lane> {
    if (this.closed) return Promise.reject(new Error("The SMTP pool is closed"));
    if (signal.aborted) return Promise.reject(timedOut("No SMTP connection in time"));
    if (fresh && this.open < this.maxConnections) return this.connect();
    const lane = this.idle.pop();
    if (lane) return Promise.resolve(lane);
    if (this.open < this.maxConnections) return this.connect();
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = () => {
        done = true;
        signal.removeEventListener("abort", onAbort);
      };
      const waiter: Waiter = {
        give: (lane) => {
          if (done) {
            this.release(lane);
            return;
          }
          finish();
          resolve(lane);
        },
        fail: (error) => {
          if (done) return;
          finish();
          reject(error);
        },
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index !== -1) this.waiting.splice(index, 1);
        waiter.fail(timedOut("No SMTP connection in time"));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Opens one more connection (logged in, if the URL has credentials). */
  private connect(): Promise<Lane> {
    this.open += 1;
    const connection = new SMTPConnection(this.connectionOptions);
    const lane: Lane = { connection, sent: 0, ended: false };
    // Once connected, errors reach the send in flight through its callback; the event only needs a listener.
    connection.on("error", () => {});
    connection.once("end", () => this.forget(lane));
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        this.discard(lane);
        reject(error);
      };
      const ready = () => {
        if (settled) return;
        settled = true;
        resolve(lane);
      };
      // A refused or timed-out connection is only told as an event, never to the connect callback.
      connection.once("error", fail);
      connection.once("end", () =>
        fail(Object.assign(new Error("The SMTP server closed the connection"), { code: "ECONNECTION" })),
      );
      connection.connect(() => {
        if (!this.auth) return ready();
        connection.login(this.auth, (error) => (error ? fail(error) : ready()));
      });
    });
  }

  private release(lane: Lane): void {
    if (this.closed || lane.ended || lane.sent >= maxMessagesPerConnection) {
      this.discard(lane);
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) waiter.give(lane);
    else this.idle.push(lane);
  }

  /** A refused message leaves the connection usable after RSET; anything else ends it. */
  private afterFailure(lane: Lane, failure: NodemailerError): void {
    const refused = failure.code === "EENVELOPE" || failure.code === "EMESSAGE";
    if (lane.ended || !refused || failure.responseCode === 421) {
      this.discard(lane);
      return;
    }
    lane.connection.reset((error) => (error ? this.discard(lane) : this.release(lane)));
  }

  private discard(lane: Lane): void {
    lane.connection.close();
    this.forget(lane);
  }

  /** A connection is gone: its slot goes to the first message waiting, on a new connection. */
  private forget(lane: Lane): void {
    if (lane.ended) return;
    lane.ended = true;
    this.open -= 1;
    const index = this.idle.indexOf(lane);
    if (index !== -1) this.idle.splice(index, 1);
    const waiter = this.closed ? undefined : this.waiting.shift();
    if (waiter) this.connect().then(waiter.give, waiter.fail);
  }
}
