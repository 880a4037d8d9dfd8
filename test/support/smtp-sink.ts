/**
 * A real SMTP server on 127.0.0.1 standing in for the email provider: it accepts every message
 * (but for the mailboxes it is told to refuse) and keeps each one parsed, so tests assert what a
 * recipient would see.
 * @example
 * const sink = await startSmtpSink();
 * const t = await startTestServer(kind, { providers: { email: { type: "smtp", url: sink.url } } });
 */
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** One message as it arrived: the envelope's recipients and what a mail client shows. */
export interface ReceivedMail {
  to: string[];
  subject: string;
  html: string;
  text: string;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`, for `providers.email.url`. */
  url: string;
  received: ReceivedMail[];
  /** The messages each recipient got, by address. */
  byRecipient(): Map<string, ReceivedMail[]>;
  close(): Promise<void>;
}

/** `refuse`: the recipients answered 550 (a mailbox that does not exist), a permanent failure. */
export async function startSmtpSink(options: { refuse?: (address: string) => boolean } = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refuse?.(address.address)) {
        return callback(Object.assign(new Error("5.1.1 No such user"), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push({
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            subject: mail.subject ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
            text: mail.text ?? "",
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    byRecipient() {
      const mails = new Map<string, ReceivedMail[]>();
      for (const mail of received) {
        for (const address of mail.to) mails.set(address, [...(mails.get(address) ?? []), mail]);
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
