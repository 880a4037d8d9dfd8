/**
 * SMS over SMPP: each message is one submit_sm per part on the process's bound transceiver session
 * (smpp-link.ts), asking for a delivery receipt on its last part; the SMSC's submit_sm_resp
 * command_status is the outcome, and its message_id the provider message id the receipt will name.
 */
import { randomInt } from "node:crypto";
import smpp from "smpp";
import type { DeliveryOutcome, OutboundMessage, SmsContent } from "../../messages/model.js";
import type { Services } from "../../services.js";
import type { ChannelProvider } from "../provider.js";
import { sendEach } from "./outgoing.js";
import type { SmppLink } from "./smpp-link.js";
import { smsParts } from "./smpp-parts.js";

/** submit_sm in flight at once: the window most SMSCs allow a bind. */
const window = 10;
const udhIndicator = 0x40;
/** registered_delivery: a receipt for the final outcome, delivered or not. */
const finalReceipt = 0x01;

const throttled = new Set([smpp.errors.ESME_RTHROTTLED]);
/** The SMSC is busy or briefly broken: the same submit may well pass later. */
const temporary = new Set([
  smpp.errors.ESME_RMSGQFUL,
  smpp.errors.ESME_RSYSERR,
  smpp.errors.ESME_RX_T_APPN,
  smpp.errors.ESME_RSUBMITFAIL,
  smpp.errors.ESME_RINVBNDSTS,
  smpp.errors.ESME_RUNKNOWNERR,
]);
/** The destination number itself is refused: its endpoint is retired. */
const deadNumber = new Set([smpp.errors.ESME_RINVDSTADR, smpp.errors.ESME_RINVDSTTON, smpp.errors.ESME_RINVDSTNPI]);

/**
 * A submit_sm_resp command_status as a delivery outcome.
 * @example submitOutcome(0x58) // { status: "THROTTLED", statusCode: 429, ... }
 */
export function submitOutcome(commandStatus: number): DeliveryOutcome {
  const statusMessage = `The SMSC answered command_status 0x${commandStatus.toString(16).padStart(8, "0")}`;
  if (commandStatus === smpp.errors.ESME_ROK) {
    return { status: "SUCCESSFUL", statusCode: 200, statusMessage: "Accepted by the SMSC" };
  }
  if (throttled.has(commandStatus)) return { status: "THROTTLED", statusCode: 429, statusMessage };
  if (temporary.has(commandStatus)) return { status: "TEMPORARY_FAILURE", statusCode: 503, statusMessage };
  return {
    status: "PERMANENT_FAILURE",
    statusCode: 400,
    statusMessage,
    deactivateEndpoint: deadNumber.has(commandStatus),
  };
}

export class SmppProvider implements ChannelProvider {
  private closed = false;

  /** `defaultFrom` is the app's SMS channel ShortCode or SenderId, for messages that name no sender. */
  constructor(
    private readonly services: Services,
    private readonly appId: string,
    private readonly link: SmppLink,
    private readonly defaultFrom: string | undefined,
  ) {
    link.acquire();
  }

  send(messages: OutboundMessage[]): Promise<DeliveryOutcome[]> {
    return sendEach(
      this.services,
      this.appId,
      messages,
      window,
      (message, content, from) => this.submit(message, content, from),
      this.defaultFrom,
    );
  }

  /** The parts go one after another; a part refused after others were accepted ends the message unknown, never resent. */
  private async submit(message: OutboundMessage, content: SmsContent, from: string): Promise<DeliveryOutcome> {
    const { dataCoding, parts } = smsParts(content.body, randomInt(256));
    let providerMessageId: string | undefined;
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      const result = await this.link.submit({
        ...sourceAddress(from),
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: message.address.replace(/^\+/, ""),
        esm_class: parts.length > 1 ? udhIndicator : 0,
        registered_delivery: last ? finalReceipt : 0,
        data_coding: dataCoding,
        short_message: part,
      });
      if (result.kind !== "answered" || result.commandStatus !== smpp.errors.ESME_ROK) {
        const outcome: DeliveryOutcome =
          result.kind === "answered"
            ? submitOutcome(result.commandStatus)
            : result.kind === "not-sent"
              ? { status: "TEMPORARY_FAILURE", statusCode: 503, statusMessage: result.reason }
              : { status: "UNKNOWN_FAILURE", statusCode: 504, statusMessage: result.reason };
        if (i === 0) return outcome;
        return {
          status: "UNKNOWN_FAILURE",
          statusCode: outcome.statusCode,
          statusMessage: `${i} of ${parts.length} parts were accepted, then: ${outcome.statusMessage}`,
        };
      }
      if (last) providerMessageId = result.messageId;
    }
    return { ...submitOutcome(smpp.errors.ESME_ROK), providerMessageId };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.link.release();
  }
}

/** An E.164 number, a short code or an alphanumeric sender ID, with its type of number and numbering plan. */
function sourceAddress(from: string): { source_addr_ton: number; source_addr_npi: number; source_addr: string } {
  if (/^\+\d+$/.test(from)) return { source_addr_ton: 1, source_addr_npi: 1, source_addr: from.slice(1) };
  if (/^\d+$/.test(from)) return { source_addr_ton: 0, source_addr_npi: 1, source_addr: from };
  return { source_addr_ton: 5, source_addr_npi: 0, source_addr: from };
}
