import { Readable } from "node:stream";
import MailComposer from "nodemailer/lib/mail-composer";
import { describe, expect, it } from "vitest";
import { mimeBytes } from "./mime-bytes.js";

/** What nodemailer's own streaming writer makes of the same tree. */
async function streamed(mime: ReturnType<MailComposer["compile"]>): Promise<string> {
  return (await mime.build()).toString("utf8");
}

type Case = ConstructorParameters<typeof MailComposer>[0] & { encoding: string };

const cases: Record<string, Case> = {
  "text and html (7bit)": {
    from: "Shop <news@shop.example>",
    to: "reader@mail.example",
    subject: "Spring sale",
    text: "Hello there",
    html: "<p>Hello <b>there</b></p>",
    messageId: "<waymark-1@shop.example>",
    encoding: "7bit",
  },
  "non-ASCII names, subject and bodies (quoted-printable)": {
    from: "Café Zoë <news@shop.example>",
    to: "Jürgen <reader@mail.example>",
    subject: "Größte Auswahl — jetzt 20 % günstiger, nur diese Woche für alle Stammkunden",
    text: "Grüße aus Köln!\nLiebe Jürgen, ünsere Äpfel sind reif.",
    html: `<p>${"Grüße ".repeat(40)}</p>`,
    headers: [{ key: "X-Campaign", value: "frühling" }],
    messageId: "<waymark-2@shop.example>",
    encoding: "quoted-printable",
  },
  "mostly non-Latin text (base64)": {
    from: "news@shop.example",
    to: "reader@mail.example",
    subject: "セール",
    text: "春のセールが始まりました。".repeat(20),
    messageId: "<waymark-3@shop.example>",
    encoding: "base64",
  },
  "long ASCII lines": {
    from: "news@shop.example",
    to: "reader@mail.example",
    subject: "Long",
    html: `<p>${"word ".repeat(100)}</p>`,
    replyTo: "help@shop.example",
    messageId: "<waymark-4@shop.example>",
    encoding: "quoted-printable",
  },
};

describe("mimeBytes", () => {
  for (const [name, { encoding, ...options }] of Object.entries(cases)) {
    it(`writes the same message as nodemailer's streaming writer: ${name}`, async () => {
      const mime = new MailComposer(options).compile();
      const written = mimeBytes(mime);
      expect(written).toContain(`Content-Transfer-Encoding: ${encoding}`);
      expect(written).toBe(await streamed(mime));
    });
  }

  it("refuses content it would have to read from a stream", () => {
    const mime = new MailComposer({ from: "a@b.example", to: "c@d.example", text: "x" }).compile();
    mime.setContent(Readable.from(["x"]));
    expect(() => mimeBytes(mime)).toThrow(/synchronously/);
  });
});
