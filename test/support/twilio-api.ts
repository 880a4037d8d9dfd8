/**
 * Twilio's Messages API on 127.0.0.1, standing in for the SMS provider: it checks the account's
 * basic auth, keeps every message it is asked to send, and answers 201 as Twilio does.
 * @example
 * const twilio = await startTwilioApi();
 * const t = await startTestServer(kind, { providers: { sms: twilio.provider } });
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One message create as the provider received it. */
export interface TwilioMessage {
  to: string;
  from: string;
  body: string;
}

export interface TwilioApi {
  /** The `providers.sms` config that points Waymark here. */
  provider: { type: "twilio"; url: string; accountSid: string; authToken: string };
  messages: TwilioMessage[];
  close(): Promise<void>;
}

const accountSid = "AC00000000000000000000000000journey";
const authToken = "twilio-journey-test-token";

export async function startTwilioApi(): Promise<TwilioApi> {
  const messages: TwilioMessage[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.headers.authorization !== expectedAuth) {
        res.writeHead(401);
        return res.end(JSON.stringify({ code: 20003, message: "Authenticate", status: 401 }));
      }
      const form = new URLSearchParams(text);
      const message = { to: form.get("To") ?? "", from: form.get("From") ?? "", body: form.get("Body") ?? "" };
      if (req.url !== `/2010-04-01/Accounts/${accountSid}/Messages.json` || !message.to || !message.body) {
        res.writeHead(400);
        return res.end(JSON.stringify({ code: 21604, message: "A 'To' phone number is required.", status: 400 }));
      }
      messages.push(message);
      res.writeHead(201);
      res.end(JSON.stringify({ sid: `SM${randomUUID().replaceAll("-", "")}`, status: "queued", to: message.to }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    provider: { type: "twilio", url, accountSid, authToken },
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
