import MailComposer from "nodemailer/lib/mail-composer";
import { describe, expect, it } from "vitest";
import { type MimeMessage, writeMimeMessage } from "./mime-message.js";

const boundaryBase = "b0a1-3f2a";

/** Messages written at different moments differ only in their Date field. */
const undated = (raw: string) => raw.replace(/^Date: .*$/m, "Date: (when it was written)");

/** The same message as nodemailer's MailComposer writes it, with the same boundary. */
async function byNodemailer(message: MimeMessage) {
  const mime = new MailComposer({
    from: message.from,
    to: message.to,
    replyTo: message.replyTo,
    subject: message.subject,
    messageId: message.messageId,
    baseBoundary: message.boundaryBase,
    headers: message.headers.map(({ name, value, prepared }) => ({
      key: name,
      value: prepared ? { prepared: true, value } : value,
    })),
    text: message.text,
    html: message.html,
  }).compile();
  return { envelope: mime.getEnvelope(), raw: (await mime.build()).toString("utf8") };
}

const base = { date: new Date(), boundaryBase, messageId: "<waymark-1@shop.example>", headers: [] };

const cases: Record<string, MimeMessage & { encoding: string }> = {
  "text and html in 7bit, with custom and one-click unsubscribe headers": {
    ...base,
    from: "Shop <news@shop.example>",
    to: "reader@mail.example",
    replyTo: ["help@shop.example", "Support Team <support@shop.example>"],
    subject: "Spring sale",
    headers: [
      { name: "X-Campaign", value: "spring" },
      { name: "List-Unsubscribe", value: "<https://waymark.example/t/u/abc?sig=xyz>", prepared: true },
      { name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click", prepared: true },
    ],
    text: "Hello there\nSee you soon.",
    html: "<p>Hello <b>there</b></p>",
    encoding: "7bit",
  },
  "non-ASCII names, subject, header and bodies in quoted-printable": {
    ...base,
    from: "Café Zoë <news@shop.example>",
    to: "Jürgen <reader@mail.example>",
    subject: "Größte Auswahl — jetzt 20 % günstiger, nur diese Woche für alle Stammkunden",
    headers: [{ name: "X-Campaign", value: "frühling" }],
    text: "Grüße aus Köln!\nLiebe Jürgen, ünsere Äpfel sind reif.",
    html: `<p>${"Grüße ".repeat(40)}</p>`,
    encoding: "quoted-printable",
  },
  "mostly non-Latin text alone, in base64": {
    ...base,
    from: "news@shop.example",
    to: "reader@mail.example",
    subject: "セール",
    text: "春のセールが始まりました。".repeat(20),
    encoding: "base64",
  },
  "HTML alone with long ASCII lines, in quoted-printable": {
    ...base,
    from: "news@shop.example",
    to: "reader@mail.example",
    subject: "Long",
    html: `<p>${"word ".repeat(100)}</p>`,
    encoding: "quoted-printable",
  },
  "an internationalized domain, an empty subject and a body without a final line break": {
    ...base,
    from: "Shop <news@bücher.example>",
    to: "leser@bücher.example",
    subject: "",
    text: "Hallo",
    encoding: "7bit",
  },
};

describe("writeMimeMessage", () => {
  for (const [name, { encoding, ...message }] of Object.entries(cases)) {
    it(`writes what nodemailer's MailComposer writes: ${name}`, async () => {
      const written = writeMimeMessage(message);
      const expected = await byNodemailer(message);
      expect(written.raw).toContain(`Content-Transfer-Encoding: ${encoding}`);
      expect(undated(written.raw)).toBe(undated(expected.raw));
      expect(written.envelope).toEqual(expected.envelope);
    });
  }

  it("dates the message as nodemailer does, in UTC", () => {
    const { raw } = writeMimeMessage({
      ...cases["mostly non-Latin text alone, in base64"],
      date: new Date("2026-03-02T10:00:00Z"),
    });
    expect(raw).toContain("\r\nDate: Mon, 02 Mar 2026 10:00:00 +0000\r\n");
  });
});
