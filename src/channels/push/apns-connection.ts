/**
 * One HTTP/2 connection to APNs, as Apple asks providers to keep: opened on the first send, reused
 * for every request after, and replaced when it goes away (GOAWAY, a reset, an idle close). With
 * certificate authentication the certificate is the TLS client certificate of the connection. An
 * http:// origin speaks HTTP/2 without TLS (h2c), for a local stand-in.
 */
import { type ClientHttp2Session, connect, constants, type IncomingHttpHeaders } from "node:http2";

/** Long enough for APNs under load; a hung stream ends as a retryable failure. */
const responseTimeoutMs = 30_000;

export interface ApnsAnswer {
  status: number;
  apnsId?: string;
  body: string;
}

export class ApnsConnection {
  private session: ClientHttp2Session | undefined;

  constructor(
    private readonly origin: string,
    private readonly clientCertificate?: { cert: string; key: string },
  ) {}

  /** POSTs one notification; rejects only when no answer came (connection lost, timeout). */
  post(path: string, headers: Record<string, string>, body: string): Promise<ApnsAnswer> {
    return new Promise((resolve, reject) => {
      const stream = this.currentSession().request({
        [constants.HTTP2_HEADER_METHOD]: "POST",
        [constants.HTTP2_HEADER_PATH]: path,
        "content-type": "application/json",
        ...headers,
      });
      let responseHeaders: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.setTimeout(responseTimeoutMs, () => {
        stream.close(constants.NGHTTP2_CANCEL);
        reject(new Error(`no answer from APNs within ${responseTimeoutMs / 1000} s`));
      });
      stream.on("response", (received) => {
        responseHeaders = received;
      });
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const apnsId = responseHeaders["apns-id"];
        resolve({
          status: Number(responseHeaders[constants.HTTP2_HEADER_STATUS] ?? 0),
          apnsId: typeof apnsId === "string" ? apnsId : undefined,
          body: Buffer.concat(chunks).toString(),
        });
      });
      stream.on("error", reject);
      // Settles nothing after `end` (a promise settles once); before it, the answer was cut off.
      stream.on("close", () => reject(new Error(`APNs closed the stream before answering (code ${stream.rstCode})`)));
      stream.end(body);
    });
  }

  private currentSession(): ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const session = connect(this.origin, this.clientCertificate ?? {});
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    // A session error also fails its streams, which report it per message; here it only retires the session.
    session.on("error", forget);
    session.on("close", forget);
    // APNs is done with this connection (Node shuts the session down itself): new requests open another.
    session.on("goaway", forget);
    this.session = session;
    return session;
  }

  /** Lets in-flight requests finish, then closes the connection. */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session || session.closed || session.destroyed) return;
    await new Promise<void>((resolve) => session.close(resolve));
  }
}
