import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import type { EmailContent, MessageContent } from "../messages/model.js";
import { createServices } from "../services.js";
import { openStore } from "../store/index.js";
import { instrumentEmail, instrumentHtml, type TrackingLinks } from "./instrument.js";
import { readLink } from "./links.js";

const links: TrackingLinks = {
  open: "https://t.example/open.gif",
  click: (url, index) => `https://t.example/c/${index}?to=${encodeURIComponent(url)}`,
};
const click = (url: string, index: number) => `href="${links.click(url, index)}"`;
const pixel =
  '<img src="https://t.example/open.gif" width="1" height="1" alt="" style="border:0;width:1px;height:1px" />';

describe("instrumenting email HTML", () => {
  it("points web links at their click redirects, numbered in source order", () => {
    const html =
      '<p><a href="https://example.com/a">A</a> <A HREF=\'http://example.com/b\' class="x">B</A></p><map><area href=https://example.com/c></map>';
    expect(instrumentHtml(html, links)).toBe(
      `<p><a ${click("https://example.com/a", 0)}>A</a> <A ${click("http://example.com/b", 1)} class="x">B</A></p><map><area ${click("https://example.com/c", 2)}></map>${pixel}`,
    );
  });

  it("passes the link's real URL, entities decoded, and escapes what it writes back", () => {
    const html = '<a href=" https://example.com/?a=1&amp;b=&quot;2&quot; ">x</a>';
    const written = instrumentHtml(html, { open: "o", click: (url) => `https://t.example/?u=${url}` });
    expect(written).toBe(
      '<a href="https://t.example/?u=https://example.com/?a=1&amp;b=&quot;2&quot;">x</a><img src="o" width="1" height="1" alt="" style="border:0;width:1px;height:1px" />',
    );
  });

  it("leaves mailto, tel, anchors, relative and notrack links alone", () => {
    const body = [
      '<a href="mailto:help@example.com">mail</a>',
      '<a href="tel:+14155550100">call</a>',
      '<a href="#top">top</a>',
      '<a href="/relative">rel</a>',
      '<a href="https://example.com/view" data-waymark-notrack>view</a>',
      '<a name="anchor">no href</a>',
      '<svg><a href="https://example.com/svg">svg</a></svg>',
    ].join("\n");
    const html = `<html><body>${body}</body></html>`;
    expect(instrumentHtml(html, links)).toBe(`<html><body>${body}${pixel}</body></html>`);
  });

  it("keeps everything else byte for byte, Outlook's conditional comments and CRLFs included", () => {
    const html = [
      "<!DOCTYPE html>",
      '<html xmlns:v="urn:schemas-microsoft-com:vml">',
      "<head><!--[if mso]><xml><o:OfficeDocumentSettings></o:OfficeDocumentSettings></xml><![endif]--></head>",
      "<BODY style='margin:0'>",
      "<table><tr><td>Caf\u00e9 &nbsp; <b>bold<i>mis-nested</b></i></td></tr></table>",
      '<a href="https://example.com/x">x</a>',
      "</BODY>",
      "</html>",
    ].join("\r\n");
    const expected = html
      .replace('href="https://example.com/x"', click("https://example.com/x", 0))
      .replace("</BODY>", `${pixel}</BODY>`);
    expect(instrumentHtml(html, links)).toBe(expected);
  });

  it("puts the pixel before </html> when there is no </body>, at the end of a fragment", () => {
    expect(instrumentHtml("<html><body><p>Hi</html>", links)).toBe(`<html><body><p>Hi${pixel}</html>`);
    expect(instrumentHtml("<p>Hi</p>", links)).toBe(`<p>Hi</p>${pixel}`);
  });

  it("tracks a link written after </body> too, with the pixel still before </body>", () => {
    const html = '<body><a href="https://example.com/in">in</a></body><a href="https://example.com/out">out</a>';
    expect(instrumentHtml(html, links)).toBe(
      `<body><a ${click("https://example.com/in", 0)}>in</a>${pixel}</body><a ${click("https://example.com/out", 1)}>out</a>`,
    );
  });

  it("gives each recipient their own links when the same HTML is instrumented again", () => {
    const html = '<a href="https://example.com/same">x</a>';
    const first = instrumentHtml(html, { open: "o1", click: () => "c1" });
    const second = instrumentHtml(html, { open: "o2", click: () => "c2" });
    expect(first).toContain('href="c1"');
    expect(second).toContain('href="c2"');
    expect(second).toContain('src="o2"');
  });
});

describe("instrumenting an email message", () => {
  const signingSecret = "a-signing-secret-of-at-least-32-characters";
  const store = openStore(`sqlite::memory:`);
  const services = createServices(
    loadConfig({ env: {}, overrides: { signingSecret, publicUrl: "https://mail.example.com/" } }),
    store,
  );
  const key = Buffer.from(signingSecret, "utf8");
  afterAll(() => store.close());

  const message = (content: MessageContent, endpointId?: string) => ({
    id: randomUUID(),
    appId: "app-1",
    address: "a@example.com",
    endpointId,
    content,
  });
  const email: EmailContent = {
    kind: "email",
    fromAddress: "news@example.com",
    subject: "Hi",
    htmlBody: '<p><a href="https://example.com/offer">Offer</a></p>',
    textBody: "Offer: https://example.com/offer",
    headers: [],
  };

  it("adds signed links for the endpoint: pixel, click redirect and unsubscribe", async () => {
    const original = message(email, "ep-1");
    const instrumented = await instrumentEmail(services, original);
    const content = instrumented.content as EmailContent;
    const recipient = { appId: "app-1", messageId: original.id, endpointId: "ep-1" };
    const [, clickToken] = content.htmlBody?.match(/href="https:\/\/mail\.example\.com\/t\/c\/([^"]+)"/) ?? [];
    const [, openSegment] = content.htmlBody?.match(/src="https:\/\/mail\.example\.com\/t\/o\/([^"]+)"/) ?? [];
    expect(readLink(key, "click", clickToken)).toEqual({
      ...recipient,
      kind: "click",
      url: "https://example.com/offer",
      index: 0,
    });
    expect(readLink(key, "open", openSegment)).toEqual({ ...recipient, kind: "open" });
    const unsubscribe = content.unsubscribeUrl ?? "";
    expect(unsubscribe.startsWith("https://mail.example.com/t/u/")).toBe(true);
    expect(readLink(key, "unsubscribe", unsubscribe.slice("https://mail.example.com/t/u/".length))).toEqual({
      ...recipient,
      kind: "unsubscribe",
    });
    expect(content.textBody).toBe(email.textBody);
    expect(original.content).toBe(email);
  });

  it("signs the address when the message has no endpoint, and tracks text-only mail by unsubscribe alone", async () => {
    const { htmlBody: _, ...textOnly } = email;
    const instrumented = await instrumentEmail(services, message(textOnly));
    const content = instrumented.content as EmailContent;
    expect("htmlBody" in content).toBe(false);
    const link = readLink(key, "unsubscribe", (content.unsubscribeUrl ?? "").split("/t/u/")[1]);
    expect(link).toMatchObject({ address: "a@example.com" });
    expect(link).not.toHaveProperty("endpointId");
  });

  it("leaves raw emails and other channels as they are", async () => {
    const raw = message({ ...email, htmlBody: undefined, raw: "Subject: hi\r\n\r\nbody" });
    const sms = message({ kind: "sms", body: "https://example.com", messageType: "TRANSACTIONAL" });
    expect(await instrumentEmail(services, raw)).toBe(raw);
    expect(await instrumentEmail(services, sms)).toBe(sms);
  });
});
