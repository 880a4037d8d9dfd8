/**
 * An SMS body as SMPP short_message parts: GSM 03.38 text (data_coding 0, the SMSC's default
 * alphabet, one octet per septet) when every character has a GSM code, else UCS-2 (data_coding 8).
 * A body too long for one SMS (160 GSM septets, 70 UCS-2 characters) is split into parts of 153 or
 * 67, each led by a concatenation user data header, which phones use to join them again. Pure.
 */
import smpp from "smpp";

export interface SmsParts {
  dataCoding: number;
  /** Each part's short_message, user data header included when there is more than one part. */
  parts: Buffer[];
}

const gsmDataCoding = 0x00;
const ucs2DataCoding = 0x08;
const gsmEscape = 0x1b;

/** GSM text goes unpacked (an octet per septet): 160 septets in one SMS, 153 beside a part's header. */
const gsmLimits = { single: 160, part: 153 };
/** UCS-2: 140 octets in one SMS, 134 beside a part's 6-octet header. */
const ucs2Limits = { single: 140, part: 134 };

/**
 * Encodes and splits a body; `reference` ties the parts of one message together (0 to 255).
 * @example smsParts("Hello", 7) // { dataCoding: 0, parts: [<48 65 6c 6c 6f>] }
 */
export function smsParts(body: string, reference: number): SmsParts {
  if (smpp.encodings.ASCII.match(body)) {
    // Never cut between an escape and the character it extends.
    const parts = split(smpp.encodings.ASCII.encode(body), gsmLimits, (encoded, end) =>
      encoded[end - 1] === gsmEscape ? end - 1 : end,
    );
    return { dataCoding: gsmDataCoding, parts: withHeaders(parts, reference) };
  }
  // Never cut inside a surrogate pair.
  const parts = split(smpp.encodings.UCS2.encode(body), ucs2Limits, (encoded, end) => {
    const lastUnit = encoded.readUInt16BE(end - 2);
    return lastUnit >= 0xd800 && lastUnit <= 0xdbff ? end - 2 : end;
  });
  return { dataCoding: ucs2DataCoding, parts: withHeaders(parts, reference) };
}

function split(
  encoded: Buffer,
  limits: { single: number; part: number },
  boundary: (encoded: Buffer, end: number) => number,
): Buffer[] {
  if (encoded.length <= limits.single) return [encoded];
  const parts: Buffer[] = [];
  let start = 0;
  while (start < encoded.length) {
    const end = encoded.length - start > limits.part ? boundary(encoded, start + limits.part) : encoded.length;
    parts.push(encoded.subarray(start, end));
    start = end;
  }
  return parts;
}

/** Concatenated SMS, 8-bit reference: IEI 0x00, length 3, reference, total parts, this part. */
function withHeaders(parts: Buffer[], reference: number): Buffer[] {
  if (parts.length === 1) return parts;
  return parts.map((part, i) =>
    Buffer.concat([Buffer.from([0x05, 0x00, 0x03, reference & 0xff, parts.length, i + 1]), part]),
  );
}
