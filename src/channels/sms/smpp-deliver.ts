/**
 * What a deliver_sm from the SMSC means: a delivery receipt for a message Waymark submitted
 * (esm_class says so; its text reads `id:... stat:DELIVRD err:000 ...`), recorded as `_SMS.SUCCESS`
 * or `_SMS.FAILURE`; or a message someone sent to one of the app's numbers, recorded as
 * `_SMS.RECEIVED` (see inbound.ts). Long inbound messages come in parts and are joined first.
 */
import type { FastifyBaseLogger as Logger } from "fastify";
import smpp from "smpp";
import type { Services } from "../../services.js";
import { newInboundMessageId, receiveSms } from "./inbound.js";
import { type RecordStatus, recordDeliveryReceipt } from "./receipts.js";

/** The message type bits of esm_class (bits 2 to 5) that mark an SMSC delivery receipt. */
const messageTypeMask = 0x3c;
const deliveryReceiptType = 0x04;
const internationalTon = 1;

/** A receipt can overtake the commit of its send's outcome; it is looked for this long before the SMSC is asked to offer it again. */
const receiptWaitMs = 5_000;
const receiptPollMs = 250;
/** Parts of a long inbound message still missing this long after the first arrived are dropped. */
const partsWaitMs = 10 * 60_000;

/** The receipt's `stat:` words (SMPP 3.4 appendix B) and message_state values, as Pinpoint's record_status; absent ones are not final. */
const recordStatusByStat: Record<string, RecordStatus> = {
  DELIVRD: "DELIVERED",
  EXPIRED: "TTL_EXPIRED",
  DELETED: "UNKNOWN",
  UNDELIV: "UNREACHABLE",
  REJECTD: "BLOCKED",
  UNKNOWN: "UNKNOWN",
};
const statByMessageState: Record<number, string> = {
  2: "DELIVRD",
  3: "EXPIRED",
  4: "DELETED",
  5: "UNDELIV",
  7: "UNKNOWN",
  8: "REJECTD",
};

export interface ParsedReceipt {
  id?: string;
  stat?: string;
  err?: string;
}

/**
 * The fields of a receipt's text, the de facto format SMSCs share.
 * @example parseReceiptText("id:7 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hi")
 * // { id: "7", stat: "DELIVRD", err: "000" }
 */
export function parseReceiptText(text: string): ParsedReceipt {
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}:(\\S+)`, "i").exec(text)?.[1];
  return { id: field("id"), stat: field("stat")?.toUpperCase(), err: field("err") };
}

/** Handles the deliver_sm PDUs of one SMPP link; holds the parts of long messages until complete. */
export class DeliverSmHandler {
  private readonly partial = new Map<string, { parts: Array<string | undefined>; firstMs: number }>();

  constructor(private readonly services: Services) {}

  /** Answers the deliver_sm_resp command_status: 0, or a temporary error for the SMSC to offer it again. */
  async handle(pdu: smpp.PDU, logger: Logger | undefined): Promise<number> {
    const text = messageText(pdu);
    if (((pdu.esm_class ?? 0) & messageTypeMask) === deliveryReceiptType) return this.receipt(pdu, text.body);
    const body = this.joined(pdu, text);
    if (body === undefined) return smpp.errors.ESME_ROK;
    const received = await receiveSms(this.services, {
      originationNumber: phoneNumber(pdu.source_addr ?? "", pdu.source_addr_ton),
      destinationNumber: phoneNumber(pdu.destination_addr ?? "", pdu.dest_addr_ton),
      body,
      inboundMessageId: newInboundMessageId(),
    });
    if (!received)
      logger?.warn("an inbound SMS matched no application (no SMS channel has its number) and was dropped");
    return smpp.errors.ESME_ROK;
  }

  private async receipt(pdu: smpp.PDU, text: string): Promise<number> {
    const parsed = parseReceiptText(text);
    const providerMessageId = pdu.receipted_message_id || parsed.id;
    const stat = parsed.stat ?? (pdu.message_state === undefined ? undefined : statByMessageState[pdu.message_state]);
    const recordStatus = stat === undefined ? undefined : recordStatusByStat[stat];
    if (!providerMessageId || !recordStatus) return smpp.errors.ESME_ROK;
    const receipt = {
      providerMessageId,
      recordStatus,
      statusMessage: recordStatus === "DELIVERED" ? undefined : `SMPP stat:${stat} err:${parsed.err ?? ""}`,
    };
    for (const deadline = Date.now() + receiptWaitMs; ; ) {
      if (await recordDeliveryReceipt(this.services, receipt)) return smpp.errors.ESME_ROK;
      if (Date.now() >= deadline) return smpp.errors.ESME_RX_T_APPN;
      await new Promise((resolve) => setTimeout(resolve, receiptPollMs));
    }
  }

  /** The whole message once every part is in; undefined while parts are missing. */
  private joined(pdu: smpp.PDU, text: { body: string; udh: Buffer[] }): string | undefined {
    const concatenation = concatenationOf(text.udh);
    if (!concatenation || concatenation.total <= 1) return text.body;
    const now = Date.now();
    for (const [key, entry] of this.partial) if (now - entry.firstMs > partsWaitMs) this.partial.delete(key);
    const key = `${pdu.source_addr}\u0000${pdu.destination_addr}\u0000${concatenation.reference}`;
    const entry = this.partial.get(key) ?? { parts: new Array(concatenation.total).fill(undefined), firstMs: now };
    entry.parts[concatenation.sequence - 1] = text.body;
    if (entry.parts.some((part) => part === undefined)) {
      this.partial.set(key, entry);
      return undefined;
    }
    this.partial.delete(key);
    return entry.parts.join("");
  }
}

/** The text of a deliver_sm, from short_message or (for long ones) message_payload, and its header elements. */
function messageText(pdu: smpp.PDU): { body: string; udh: Buffer[] } {
  const decoded = [pdu.short_message, pdu.message_payload].find(
    (candidate) => candidate !== undefined && !Buffer.isBuffer(candidate) && candidate.message.length > 0,
  );
  if (!decoded || Buffer.isBuffer(decoded)) return { body: "", udh: [] };
  const body = Buffer.isBuffer(decoded.message) ? decoded.message.toString("utf8") : decoded.message;
  return { body, udh: decoded.udh ?? [] };
}

/** The concatenation element of a user data header (8-bit reference 0x00, or 16-bit 0x08). */
function concatenationOf(udh: Buffer[]): { reference: number; total: number; sequence: number } | undefined {
  for (const element of udh) {
    const found =
      element[0] === 0x00 && element.length >= 5
        ? { reference: element[2], total: element[3], sequence: element[4] }
        : element[0] === 0x08 && element.length >= 6
          ? { reference: element.readUInt16BE(2), total: element[4], sequence: element[5] }
          : undefined;
    if (found && found.sequence >= 1 && found.sequence <= found.total) return found;
  }
  return undefined;
}

/** An address as E.164 when its type of number says it is international. */
function phoneNumber(address: string, ton: number | undefined): string {
  return ton === internationalTon && !address.startsWith("+") ? `+${address}` : address;
}
