import { describe, expect, it } from "vitest";
import { keywordAction, messageKeyword } from "./keywords.js";
import { submitOutcome } from "./smpp.js";
import { parseReceiptText } from "./smpp-deliver.js";
import { smsParts } from "./smpp-parts.js";
import { twilioOutcome } from "./twilio.js";
import { twilioReceipt } from "./twilio-callbacks.js";
import { twilioSignature, verifyTwilioSignature } from "./twilio-signature.js";

describe("Twilio's request signature", () => {
  // The worked examples of Twilio's request-validation documentation.
  it("matches Twilio's published signatures", () => {
    const first = new URLSearchParams(
      "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212",
    );
    expect(twilioSignature("https://mycompany.com/myapp.php?foo=1&bar=2", first, "12345")).toBe(
      "0/KCTR6DLpKmkAf8muzZqo1nDgQ=",
    );
    // Parameters out of order on the wire: the signature sorts them.
    const second = new URLSearchParams(
      "To=%2B18005551212&From=%2B14158675310&Digits=1234&CallSid=CA1234567890ABCDE&Caller=%2B14158675310",
    );
    expect(twilioSignature("https://example.com/myapp.php?foo=1&bar=2", second, "12345")).toBe(
      "L/OH5YylLD5NRKLltdqwSvS0BnU=",
    );
  });

  it("refuses a missing, truncated or foreign signature", () => {
    const form = new URLSearchParams("MessageSid=SM1&MessageStatus=delivered");
    const url = "https://waymark.example.test/webhooks/sms/twilio/status?message=m-1";
    const good = twilioSignature(url, form, "token");
    expect(verifyTwilioSignature(url, form, "token", good)).toBe(true);
    expect(verifyTwilioSignature(url, form, "token", undefined)).toBe(false);
    expect(verifyTwilioSignature(url, form, "token", good.slice(0, -2))).toBe(false);
    expect(verifyTwilioSignature(url, form, "token", twilioSignature(url, form, "other"))).toBe(false);
    expect(verifyTwilioSignature(`${url}x`, form, "token", good)).toBe(false);
  });
});

describe("SMS keywords", () => {
  it("reads the first word, in capitals, without trailing punctuation", () => {
    expect(messageKeyword("  stop! please")).toBe("STOP");
    expect(messageKeyword("")).toBe("");
  });

  it("knows Pinpoint's opt-out words, the opt-in words and HELP", () => {
    for (const word of [
      "STOP",
      "stopall",
      "Unsubscribe",
      "cancel",
      "END",
      "quit",
      "OPTOUT",
      "opt-out",
      "ARRET",
      "TD",
      "remove",
    ]) {
      expect(keywordAction(word, false)).toBe("OPT_OUT");
    }
    expect(keywordAction("start", true)).toBe("OPT_IN");
    expect(keywordAction("UNSTOP", false)).toBe("OPT_IN");
    expect(keywordAction("help me", false)).toBe("HELP");
    expect(keywordAction("info", false)).toBe("HELP");
    expect(keywordAction("Where is my order?", false)).toBeUndefined();
    expect(keywordAction("Stopping by later", false)).toBeUndefined();
  });

  it("opts in on YES only a number that is opted out: elsewhere YES is an answer", () => {
    expect(keywordAction("Yes", false)).toBeUndefined();
    expect(keywordAction("Yes", true)).toBe("OPT_IN");
  });
});

describe("SMPP parts", () => {
  it("sends GSM text up to 160 characters as one part with data_coding 0", () => {
    const { dataCoding, parts } = smsParts("a".repeat(160), 1);
    expect(dataCoding).toBe(0);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toHaveLength(160);
  });

  it("splits longer GSM text into 153-septet parts with a concatenation header", () => {
    const { parts } = smsParts("a".repeat(161), 9);
    expect(parts.map((part) => part.length)).toEqual([6 + 153, 6 + 8]);
    expect([...parts[0].subarray(0, 6)]).toEqual([0x05, 0x00, 0x03, 9, 2, 1]);
    expect([...parts[1].subarray(0, 6)]).toEqual([0x05, 0x00, 0x03, 9, 2, 2]);
  });

  it("never cuts a GSM escape from the character it extends", () => {
    // "€" is the escape 0x1B then 0x65: placed to straddle the 153rd septet.
    const { parts } = smsParts(`${"a".repeat(152)}€${"b".repeat(10)}`, 1);
    expect(parts[0].subarray(6)).toHaveLength(152);
    expect([...parts[1].subarray(6, 8)]).toEqual([0x1b, 0x65]);
  });

  it("sends text with no GSM code as UCS-2, 70 characters to a part or 67 beside a header", () => {
    expect(smsParts(`${"Привет".repeat(10)}abcdefghij`, 1).parts).toHaveLength(1);
    const { dataCoding, parts } = smsParts("Привет".repeat(12), 1);
    expect(dataCoding).toBe(8);
    expect(parts.map((part) => part.length)).toEqual([6 + 134, 6 + 10]);
  });

  it("never splits a surrogate pair", () => {
    const { parts } = smsParts(`${"я".repeat(66)}🚚${"я".repeat(10)}`, 1);
    expect(parts[0].subarray(6)).toHaveLength(132);
    expect(parts[1].readUInt16BE(6)).toBe(0xd83d);
  });
});

describe("provider answers as delivery outcomes", () => {
  it("reads Twilio's answers", () => {
    expect(twilioOutcome(201, '{"sid":"SM1","status":"queued"}')).toMatchObject({
      status: "SUCCESSFUL",
      statusCode: 200,
      providerMessageId: "SM1",
    });
    expect(twilioOutcome(429, '{"code":20429}').status).toBe("THROTTLED");
    expect(twilioOutcome(503, "busy").status).toBe("TEMPORARY_FAILURE");
    expect(twilioOutcome(400, '{"code":21610,"message":"unsubscribed recipient"}').status).toBe("OPT_OUT");
    expect(twilioOutcome(400, '{"code":21211,"message":"Invalid To"}')).toMatchObject({
      status: "PERMANENT_FAILURE",
      deactivateEndpoint: true,
    });
    expect(twilioOutcome(401, '{"code":20003}')).toMatchObject({ status: "PERMANENT_FAILURE", statusCode: 401 });
  });

  it("reads SMPP command_status values", () => {
    expect(submitOutcome(0x00).status).toBe("SUCCESSFUL");
    expect(submitOutcome(0x58).status).toBe("THROTTLED");
    expect(submitOutcome(0x14).status).toBe("TEMPORARY_FAILURE");
    expect(submitOutcome(0x0b)).toMatchObject({ status: "PERMANENT_FAILURE", deactivateEndpoint: true });
    expect(submitOutcome(0x0a)).toMatchObject({ status: "PERMANENT_FAILURE", deactivateEndpoint: false });
  });
});

describe("delivery receipts", () => {
  it("reads an SMPP receipt's id, stat and err", () => {
    expect(
      parseReceiptText(
        "id:0123abc sub:001 dlvrd:001 submit date:2611231200 done date:2611231201 stat:DELIVRD err:000 text:Hi",
      ),
    ).toEqual({ id: "0123abc", stat: "DELIVRD", err: "000" });
    expect(parseReceiptText("no receipt here")).toEqual({ id: undefined, stat: undefined, err: undefined });
  });

  it("takes only Twilio's final statuses, with the error code as Pinpoint's record status", () => {
    const form = (query: string) => new URLSearchParams(query);
    expect(twilioReceipt(form("MessageSid=SM1&MessageStatus=sent"), "m")).toBeUndefined();
    expect(twilioReceipt(form("MessageSid=SM1&MessageStatus=delivered"), "m")).toEqual({
      messageId: "m",
      providerMessageId: "SM1",
      recordStatus: "DELIVERED",
    });
    expect(twilioReceipt(form("MessageSid=SM1&MessageStatus=failed&ErrorCode=30007"), "m")?.recordStatus).toBe("SPAM");
    expect(twilioReceipt(form("MessageSid=SM1&MessageStatus=undelivered"), "m")?.recordStatus).toBe("UNKNOWN");
  });
});
