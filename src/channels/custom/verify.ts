/**
 * Pinpoint's webhook check: before sending endpoint data to a webhook it issues an HTTP HEAD to
 * the URL, whose answer must carry `X-Amz-Pinpoint-AccountId` equal to the account's id, so a URL
 * nobody prepared for this account never receives its customers' data. Pinpoint checks when the
 * campaign is saved; Waymark checks before the first send and remembers the answer for an hour.
 */
import { type Dispatcher, request } from "undici";
import type { DeliveryOutcome } from "../../messages/model.js";
import { unreachableOutcome } from "../http-outcome.js";

const verifiedForMs = 60 * 60 * 1000;
const timeoutMs = 10_000;

export class WebhookVerifier {
  private readonly verified = new Map<string, number>();
  /** Calls of one batch share the check under way rather than each sending a HEAD. */
  private readonly checking = new Map<string, Promise<DeliveryOutcome | undefined>>();

  constructor(
    private readonly accountId: string,
    private readonly dispatcher: Dispatcher,
  ) {}

  /** Undefined when the webhook may be called; otherwise the outcome its messages end with. */
  async check(url: string): Promise<DeliveryOutcome | undefined> {
    const until = this.verified.get(url);
    if (until !== undefined && until > Date.now()) return undefined;
    const pending = this.checking.get(url) ?? this.ask(url).finally(() => this.checking.delete(url));
    this.checking.set(url, pending);
    return pending;
  }

  private async ask(url: string): Promise<DeliveryOutcome | undefined> {
    let statusCode: number;
    let accountHeader: string | string[] | undefined;
    try {
      const response = await request(url, {
        method: "HEAD",
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body.dump();
      statusCode = response.statusCode;
      accountHeader = response.headers["x-amz-pinpoint-accountid"];
    } catch (error) {
      return unreachableOutcome(error);
    }
    if (accountHeader === this.accountId) {
      this.verified.set(url, Date.now() + verifiedForMs);
      return undefined;
    }
    if (statusCode >= 500) {
      return { status: "TEMPORARY_FAILURE", statusCode, statusMessage: `The webhook answered HEAD with ${statusCode}` };
    }
    return {
      status: "PERMANENT_FAILURE",
      statusCode: 403,
      statusMessage:
        `The webhook ${url} is not verified: its answer to a HEAD request must carry the header ` +
        `X-Amz-Pinpoint-AccountId: ${this.accountId}`,
    };
  }
}
