import { createHash, generateKeyPairSync, type KeyObject, randomUUID, sign, verify } from "node:crypto";
import {
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
} from "node:http2";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import {
  CreateAppCommand,
  GetEndpointCommand,
  SendMessagesCommand,
  UpdateAdmChannelCommand,
  UpdateApnsChannelCommand,
  UpdateApnsSandboxChannelCommand,
  UpdateApnsVoipChannelCommand,
  UpdateBaiduChannelCommand,
  UpdateEndpointCommand,
  UpdateGcmChannelCommand,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderToken } from "../src/channels/push/apns-token.js";
import type { DeliveryChannel, PushContent } from "../src/messages/model.js";
import { enqueueMessages, type QueuedMessage } from "../src/messages/outbox/enqueue.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

// ---- Keys and certificates, made here with node:crypto ----

const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END ${label}-----\n`;

/** One DER element: tag, definite length, contents. */
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const length: number[] = [];
  for (let n = body.length; n > 0; n = Math.floor(n / 256)) length.unshift(n % 256);
  const prefix = body.length < 128 ? [body.length] : [0x80 | length.length, ...length];
  return Buffer.concat([Buffer.from([tag, ...prefix]), body]);
}

function objectId(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const chunk = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n % 128));
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

const sequence = (...parts: Buffer[]) => der(0x30, ...parts);
const utcTime = (date: Date) => der(0x17, Buffer.from(`${date.toISOString().replace(/[-:T]/g, "").slice(2, 14)}Z`));
const distinguishedName = (attributes: Array<[string, string]>) =>
  sequence(...attributes.map(([oid, value]) => der(0x31, sequence(objectId(oid), der(0x0c, Buffer.from(value))))));

/** A self-signed X.509 v3 certificate (ECDSA P-256), like the ones Apple issues for push, minus the chain. */
function selfSignedCertificate(subject: Array<[string, string]>): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ecdsaWithSha256 = sequence(objectId("1.2.840.10045.4.3.2"));
  const day = 86_400_000;
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([1])),
    ecdsaWithSha256,
    distinguishedName(subject),
    sequence(utcTime(new Date(Date.now() - day)), utcTime(new Date(Date.now() + 365 * day))),
    distinguishedName(subject),
    publicKey.export({ type: "spki", format: "der" }),
  );
  const signature = sign("sha256", tbs, privateKey);
  const certificate = sequence(tbs, ecdsaWithSha256, der(0x03, Buffer.from([0]), signature));
  return { cert: pem("CERTIFICATE", certificate), key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

const commonName = "2.5.4.3";
const userId = "0.9.2342.19200300.100.1.1";

/** Splits a JWT and checks its signature with the public key; answers its header and claims. */
function verifiedWebToken(
  token: string,
  publicKey: KeyObject,
): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims, signature] = token.split(".");
  const algorithm = JSON.parse(Buffer.from(header, "base64url").toString()).alg;
  const key = algorithm === "ES256" ? { key: publicKey, dsaEncoding: "ieee-p1363" as const } : publicKey;
  if (!verify("sha256", Buffer.from(`${header}.${claims}`), key, Buffer.from(signature, "base64url"))) {
    throw new Error("the token's signature does not verify");
  }
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString()),
    claims: JSON.parse(Buffer.from(claims, "base64url").toString()),
  };
}

// ---- Stand-ins for APNs and FCM: real HTTP/2 servers on 127.0.0.1 ----

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The UID of the TLS client certificate, when the connection had one. */
  clientUid?: string;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number };

interface StandIn {
  url: string;
  received: Received[];
  /** Every HTTP/2 connection a client opened, in order. */
  sessions: ServerHttp2Session[];
  /** The most requests it was answering at one time. */
  mostInFlight(): number;
  close(): Promise<void>;
}

function readBody(req: Http2ServerRequest): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString()));
  });
}

async function listen(
  server: Http2Server | Http2SecureServer,
  scheme: "http" | "https",
  answer: (received: Received) => Answer,
): Promise<StandIn> {
  const received: Received[] = [];
  const sessions: ServerHttp2Session[] = [];
  server.on("session", (session: ServerHttp2Session) => sessions.push(session));
  let inFlight = 0;
  let mostInFlight = 0;
  server.on("request", async (req: Http2ServerRequest, res: Http2ServerResponse) => {
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    const body = await readBody(req);
    const socket = req.socket as Partial<TLSSocket>;
    const clientUid = socket.getPeerCertificate?.()?.subject?.UID;
    const entry = { path: req.url, headers: req.headers, body, clientUid: clientUid ? String(clientUid) : undefined };
    received.push(entry);
    const { status, body: answerBody, headers, delayMs } = answer(entry);
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    inFlight -= 1;
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(answerBody === undefined ? "" : JSON.stringify(answerBody));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    sessions,
    mostInFlight: () => mostInFlight,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * APNs by device token: `dead…` is unregistered (410), `bad…` is a bad token (400), `busy…` is
 * throttled (429) and `stale…` meets an expired provider token (403) the first time each is seen,
 * `deny…` always meets an invalid provider token (403) and `down…` a server error (503); anything
 * else is accepted with an apns-id.
 */
function apnsAnswer(): (received: Received) => Answer {
  const seen = new Set<string>();
  return ({ path }) => {
    const token = path.split("/").pop() ?? "";
    const first = !seen.has(token);
    seen.add(token);
    if (token.startsWith("dead")) return { status: 410, body: { reason: "Unregistered", timestamp: Date.now() } };
    if (token.startsWith("bad")) return { status: 400, body: { reason: "BadDeviceToken" } };
    if (token.startsWith("busy") && first) return { status: 429, body: { reason: "TooManyRequests" } };
    if (token.startsWith("stale") && first) return { status: 403, body: { reason: "ExpiredProviderToken" } };
    if (token.startsWith("deny")) return { status: 403, body: { reason: "InvalidProviderToken" } };
    if (token.startsWith("down")) return { status: 503, body: { reason: "ServiceUnavailable" } };
    return { status: 200, headers: { "apns-id": randomUUID().toUpperCase() } };
  };
}

/**
 * FCM's token endpoint and messages:send, by device token like apnsAnswer (`dead…`, `bad…`,
 * `busy…`, `down…`); `slow…` tokens are answered after 200 ms.
 */
function fcmAnswer(): (received: Received) => Answer {
  const seen = new Set<string>();
  let tokens = 0;
  return ({ path, body }) => {
    if (path === "/token") {
      tokens += 1;
      return { status: 200, body: { access_token: `ya29.test-${tokens}`, expires_in: 3599, token_type: "Bearer" } };
    }
    const token = String(JSON.parse(body).message?.token);
    const first = !seen.has(token);
    seen.add(token);
    if (token.startsWith("dead")) {
      const details = [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "UNREGISTERED" }];
      return {
        status: 404,
        body: { error: { code: 404, message: "Requested entity was not found.", status: "NOT_FOUND", details } },
      };
    }
    if (token.startsWith("bad")) {
      const message = "The registration token is not a valid FCM registration token";
      return { status: 400, body: { error: { code: 400, message, status: "INVALID_ARGUMENT" } } };
    }
    if (token.startsWith("down")) {
      return {
        status: 503,
        body: { error: { code: 503, message: "The service is unavailable.", status: "UNAVAILABLE" } },
      };
    }
    if (token.startsWith("busy") && first) {
      const details = [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "QUOTA_EXCEEDED" }];
      return {
        status: 429,
        body: { error: { code: 429, message: "Quota exceeded", status: "RESOURCE_EXHAUSTED", details } },
      };
    }
    const name = `projects/waymark-test/messages/0:${randomUUID()}`;
    return { status: 200, body: { name }, delayMs: token.startsWith("slow") ? 200 : undefined };
  };
}

/** ADM's token endpoint and messages, by registration ID like apnsAnswer (`dead…`, `busy…`). */
function admAnswer(): (received: Received) => Answer {
  const seen = new Set<string>();
  let tokens = 0;
  return ({ path }) => {
    if (path === "/auth/o2/token") {
      tokens += 1;
      return { status: 200, body: { access_token: `Atc|adm-${tokens}`, expires_in: 3600, token_type: "bearer" } };
    }
    const registrationId = decodeURIComponent(path.split("/")[3] ?? "");
    const first = !seen.has(registrationId);
    seen.add(registrationId);
    if (registrationId.startsWith("dead")) return { status: 400, body: { reason: "InvalidRegistrationId" } };
    if (registrationId.startsWith("busy") && first) return { status: 429, body: { reason: "MaxRateExceeded" } };
    return { status: 200, body: { registrationID: registrationId }, headers: { "x-amzn-requestid": randomUUID() } };
  };
}

/** Baidu Cloud Push's single_device: channel IDs `bad…` are unknown (400), `down…` meet a server error (503). */
function baiduAnswer(): (received: Received) => Answer {
  return ({ body }) => {
    const channelId = new URLSearchParams(body).get("channel_id") ?? "";
    if (channelId.startsWith("bad")) {
      return { status: 400, body: { request_id: 1, error_code: 30608, error_msg: "Bind Relation Not Found" } };
    }
    if (channelId.startsWith("down"))
      return { status: 503, body: { request_id: 2, error_code: 30600, error_msg: "Internal" } };
    return {
      status: 200,
      body: { request_id: 3, response_params: { msg_id: "7700123456789", send_time: 1700000000 } },
    };
  };
}

/** Baidu's signature as its documentation defines it, with PHP's urlencode spelled out byte by byte. */
function expectedBaiduSignature(url: string, params: URLSearchParams, secretKey: string): string {
  const names = [...params.keys()].filter((name) => name !== "sign").sort();
  const text = `POST${url}${names.map((name) => `${name}=${params.get(name)}`).join("")}${secretKey}`;
  let encoded = "";
  for (const byte of Buffer.from(text)) {
    const c = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9_.-]/.test(c) ? c : c === " " ? "+" : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return createHash("md5").update(encoded).digest("hex");
}

// ---- The tests ----

const bundleId = "com.example.waymark";
const teamId = "TEAM123456";
const keyId = "KEY1234567";

describe.each(databases)("push notifications on %s", (kind) => {
  let t: TestServer;
  let apns: StandIn;
  let apnsSandbox: StandIn;
  let fcm: StandIn;
  let adm: StandIn;
  let baidu: StandIn;
  let appId: string;
  const apnsKeys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const googleKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pushCertificate = selfSignedCertificate([
    [userId, bundleId],
    [commonName, `Apple Development IOS Push Services: ${bundleId}`],
  ]);
  const rejectUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

  beforeAll(async () => {
    // The sandbox stand-in speaks TLS to see the client certificate; its own certificate is self-signed.
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    const serverCertificate = selfSignedCertificate([[commonName, "127.0.0.1"]]);
    apns = await listen(createServer(), "http", apnsAnswer());
    apnsSandbox = await listen(
      createSecureServer({ ...serverCertificate, requestCert: true, rejectUnauthorized: false }),
      "https",
      apnsAnswer(),
    );
    fcm = await listen(createServer(), "http", fcmAnswer());
    adm = await listen(createServer(), "http", admAnswer());
    baidu = await listen(createServer(), "http", baiduAnswer());
    t = await startTestServer(kind, {
      providers: {
        apns: { productionUrl: apns.url, sandboxUrl: apnsSandbox.url },
        fcm: { url: fcm.url, tokenUrl: `${fcm.url}/token` },
        adm: { url: adm.url, tokenUrl: `${adm.url}/auth/o2/token` },
        baidu: { url: `${baidu.url}/rest/3.0` },
      },
    });
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Push" } }));
    appId = app.ApplicationResponse?.Id ?? "";
    const tokenKey = apnsKeys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    await t.client.send(
      new UpdateApnsChannelCommand({
        ApplicationId: appId,
        APNSChannelRequest: { TokenKey: tokenKey, TokenKeyId: keyId, TeamId: teamId, BundleId: bundleId },
      }),
    );
    await t.client.send(
      new UpdateApnsVoipChannelCommand({
        ApplicationId: appId,
        APNSVoipChannelRequest: { TokenKey: tokenKey, TokenKeyId: keyId, TeamId: teamId, BundleId: bundleId },
      }),
    );
    await t.client.send(
      new UpdateApnsSandboxChannelCommand({
        ApplicationId: appId,
        APNSSandboxChannelRequest: { Certificate: pushCertificate.cert, PrivateKey: pushCertificate.key },
      }),
    );
    const serviceJson = JSON.stringify({
      type: "service_account",
      project_id: "waymark-test",
      private_key_id: "0123456789abcdef",
      private_key: googleKeys.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      client_email: "sender@waymark-test.iam.gserviceaccount.com",
      token_uri: "https://oauth2.googleapis.com/token",
    });
    await t.client.send(
      new UpdateGcmChannelCommand({
        ApplicationId: appId,
        GCMChannelRequest: { ServiceJson: serviceJson, DefaultAuthenticationMethod: "TOKEN" },
      }),
    );
    await t.client.send(
      new UpdateAdmChannelCommand({
        ApplicationId: appId,
        ADMChannelRequest: { ClientId: "amzn1.application-oa2-client.waymark", ClientSecret: "adm-secret" },
      }),
    );
    await t.client.send(
      new UpdateBaiduChannelCommand({
        ApplicationId: appId,
        BaiduChannelRequest: { ApiKey: "baidu-api-key", SecretKey: "baidu secret*key~" },
      }),
    );
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([apns.close(), apnsSandbox.close(), fcm.close(), adm.close(), baidu.close()]);
    if (rejectUnauthorized === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = rejectUnauthorized;
  });

  const push = (
    channel: DeliveryChannel,
    address: string,
    content: Partial<PushContent> = {},
    overrides: Partial<QueuedMessage> = {},
  ): QueuedMessage => ({
    id: randomUUID(),
    sendKey: `push-test:${randomUUID()}`,
    appId,
    channel,
    address,
    content: {
      kind: "push",
      title: "Your order shipped",
      body: "It arrives Tuesday",
      data: {},
      silent: false,
      ...content,
    },
    origin: {},
    context: {},
    sender: channel,
    maxAttempts: 1,
    ...overrides,
  });
  const db = () => t.server.services.store.db;
  const deliver = async (messages: QueuedMessage[]) => {
    await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, messages));
    return t.server.services.delivery.deliverNow(messages.map((m) => m.id));
  };
  const requestFor = (standIn: StandIn, token: string) => {
    const found = standIn.received.filter((r) => r.path.includes(`/${token}`) || r.body.includes(`"${token}"`));
    expect(found.length).toBeGreaterThan(0);
    return found[found.length - 1];
  };
  const waitForStatus = async (id: string, status: string) => {
    for (let i = 0; i < 100; i++) {
      const row = await db()
        .selectFrom("messages")
        .select(["status", "attempts"])
        .where("id", "=", id)
        .executeTakeFirst();
      if (row?.status === status) return row;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`message ${id} never reached ${status}`);
  };
  const registerEndpoint = async (endpointId: string, channelType: DeliveryChannel, address: string) => {
    await t.client.send(
      new UpdateEndpointCommand({
        ApplicationId: appId,
        EndpointId: endpointId,
        EndpointRequest: { ChannelType: channelType, Address: address },
      }),
    );
  };
  const endpointStatus = async (endpointId: string) =>
    (await t.client.send(new GetEndpointCommand({ ApplicationId: appId, EndpointId: endpointId }))).EndpointResponse
      ?.EndpointStatus;

  it("sends an APNs alert with a provider token signed by the channel's key, to the bundle's topic", async () => {
    const token = "a1".repeat(32);
    const message = push("APNS", token, { sound: "default", data: { orderId: "42" } });
    const outcome = (await deliver([message])).get(message.id);
    expect(outcome).toMatchObject({ status: "SUCCESSFUL", statusCode: 200 });
    const request = requestFor(apns, token);
    expect(request.path).toBe(`/3/device/${token}`);
    expect(request.headers).toMatchObject({
      "apns-topic": bundleId,
      "apns-push-type": "alert",
      "apns-priority": "10",
    });
    expect(outcome?.providerMessageId).toMatch(/^[0-9A-F-]{36}$/);
    const bearer = String(request.headers.authorization);
    expect(bearer).toMatch(/^bearer /);
    const { header, claims } = verifiedWebToken(bearer.slice("bearer ".length), apnsKeys.publicKey);
    expect(header).toMatchObject({ alg: "ES256", kid: keyId });
    expect(claims.iss).toBe(teamId);
    expect(Math.abs(Number(claims.iat) - Date.now() / 1000)).toBeLessThan(60);
    expect(JSON.parse(request.body)).toEqual({
      aps: { alert: { title: "Your order shipped", body: "It arrives Tuesday" }, sound: "default" },
      data: { pinpoint: { campaign: { campaign_id: "_DIRECT" }, jsonBody: { orderId: "42" } } },
    });
  });

  it("sends silent APNs pushes as background pushes at priority 5, and media with mutable-content", async () => {
    const silent = push("APNS", "b2".repeat(32), { title: undefined, body: undefined, silent: true, priority: "high" });
    const media = push("APNS", "c3".repeat(32), { imageUrl: "https://cdn.example.com/shoe.jpg", timeToLive: 3600 });
    const outcomes = await deliver([silent, media]);
    expect(outcomes.get(silent.id)?.status).toBe("SUCCESSFUL");
    const background = requestFor(apns, "b2".repeat(32));
    expect(background.headers).toMatchObject({ "apns-push-type": "background", "apns-priority": "5" });
    expect(JSON.parse(background.body).aps).toEqual({ "content-available": 1 });
    const withMedia = requestFor(apns, "c3".repeat(32));
    const payload = JSON.parse(withMedia.body);
    expect(payload.aps["mutable-content"]).toBe(1);
    expect(payload.data["media-url"]).toBe("https://cdn.example.com/shoe.jpg");
    const expiration = Number(withMedia.headers["apns-expiration"]);
    expect(Math.abs(expiration - (Date.now() / 1000 + 3600))).toBeLessThan(60);
  });

  it("sends RawContent as the APNs payload and takes the push type from its aps", async () => {
    const raw = JSON.stringify({ aps: { "content-available": 1 }, sync: "inbox" });
    const message = push("APNS", "d4".repeat(32), { raw });
    expect((await deliver([message])).get(message.id)?.status).toBe("SUCCESSFUL");
    const request = requestFor(apns, "d4".repeat(32));
    expect(request.body).toBe(raw);
    expect(request.headers["apns-push-type"]).toBe("background");
  });

  it("sends VoIP pushes to the .voip topic with the voip push type", async () => {
    const message = push("APNS_VOIP", "e5".repeat(32), { data: { caller: "Ada" } });
    expect((await deliver([message])).get(message.id)?.status).toBe("SUCCESSFUL");
    const request = requestFor(apns, "e5".repeat(32));
    expect(request.headers).toMatchObject({ "apns-topic": `${bundleId}.voip`, "apns-push-type": "voip" });
  });

  it("sends sandbox channels to the development host with the channel's client certificate", async () => {
    const message = push("APNS_SANDBOX", "f6".repeat(32));
    expect((await deliver([message])).get(message.id)?.status).toBe("SUCCESSFUL");
    const request = requestFor(apnsSandbox, "f6".repeat(32));
    expect(request.clientUid).toBe(bundleId);
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers["apns-topic"]).toBe(bundleId);
    expect(apns.received.some((r) => r.path.endsWith("f6".repeat(32)))).toBe(false);
  });

  it("marks the endpoint INACTIVE when APNs says its token is unregistered or bad", async () => {
    await registerEndpoint("iphone-gone", "APNS", "dead".repeat(16));
    await registerEndpoint("iphone-bad", "APNS", "bad0".repeat(16));
    await registerEndpoint("iphone-fine", "APNS", "0f".repeat(32));
    const gone = push("APNS", "dead".repeat(16), {}, { endpointId: "iphone-gone" });
    const bad = push("APNS", "bad0".repeat(16), {}, { endpointId: "iphone-bad" });
    const fine = push("APNS", "0f".repeat(32), {}, { endpointId: "iphone-fine" });
    const outcomes = await deliver([gone, bad, fine]);
    expect(outcomes.get(gone.id)).toMatchObject({ status: "PERMANENT_FAILURE", statusCode: 410 });
    expect(outcomes.get(gone.id)?.statusMessage).toContain("Unregistered");
    expect(outcomes.get(bad.id)).toMatchObject({ status: "PERMANENT_FAILURE", statusCode: 400 });
    expect(outcomes.get(fine.id)?.status).toBe("SUCCESSFUL");
    expect(await endpointStatus("iphone-gone")).toBe("INACTIVE");
    expect(await endpointStatus("iphone-bad")).toBe("INACTIVE");
    expect(await endpointStatus("iphone-fine")).toBe("ACTIVE");
  });

  it("answers TEMPORARY_FAILURE for server errors and PERMANENT_FAILURE with Apple's reason for a refused token", async () => {
    await registerEndpoint("iphone-denied", "APNS", "deny".repeat(16));
    const denied = push("APNS", "deny".repeat(16), {}, { endpointId: "iphone-denied" });
    const apnsDown = push("APNS", "down".repeat(16));
    const fcmDown = push("GCM", "down-fcm-token");
    const outcomes = await deliver([denied, apnsDown, fcmDown]);
    expect(outcomes.get(denied.id)).toMatchObject({
      status: "PERMANENT_FAILURE",
      statusCode: 403,
      statusMessage: "APNs InvalidProviderToken",
    });
    expect(await endpointStatus("iphone-denied")).toBe("ACTIVE");
    expect(outcomes.get(apnsDown.id)).toMatchObject({ status: "TEMPORARY_FAILURE", statusCode: 503 });
    expect(outcomes.get(fcmDown.id)).toMatchObject({ status: "TEMPORARY_FAILURE", statusCode: 503 });
  });

  it("signs one provider token for fifty minutes, then a new one", () => {
    const key = apnsKeys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const tokens = new ProviderToken(key, keyId, teamId);
    const start = Date.UTC(2026, 0, 1);
    const first = tokens.bearer(start);
    expect(tokens.bearer(start + 49 * 60_000)).toBe(first);
    const renewed = tokens.bearer(start + 50 * 60_000);
    expect(renewed).not.toBe(first);
    const { claims } = verifiedWebToken(renewed.slice("bearer ".length), apnsKeys.publicKey);
    expect(claims.iat).toBe((start + 50 * 60_000) / 1000);
  });

  it("retries an APNs push that was throttled, and it then goes through", async () => {
    const message = push("APNS", "busy".repeat(16), {}, { maxAttempts: 3 });
    await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, [message]));
    t.server.services.delivery.wake();
    const row = await waitForStatus(message.id, "SUCCESSFUL");
    expect(row.attempts).toBe(2);
    expect(apns.received.filter((r) => r.path.endsWith("busy".repeat(16)))).toHaveLength(2);
  });

  it("signs a new provider token when APNs says the token expired, and the retry goes through", async () => {
    const token = "stale".padEnd(64, "0");
    const message = push("APNS", token, {}, { maxAttempts: 3 });
    await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, [message]));
    t.server.services.delivery.wake();
    expect((await waitForStatus(message.id, "SUCCESSFUL")).attempts).toBe(2);
    const [refused, accepted] = apns.received.filter((r) => r.path.endsWith(token));
    expect(accepted.headers.authorization).not.toBe(refused.headers.authorization);
    const { claims } = verifiedWebToken(
      String(accepted.headers.authorization).slice("bearer ".length),
      apnsKeys.publicKey,
    );
    expect(claims.iss).toBe(teamId);
  });

  it("keeps one HTTP/2 connection to APNs for many pushes, and opens another after a GOAWAY", async () => {
    const batch = (prefix: string) =>
      Array.from({ length: 10 }, (_, i) => push("APNS", `${prefix}${i}`.padEnd(64, "0")));
    const first = batch("1a");
    const opened = apns.sessions.length;
    const outcomes = await deliver(first);
    for (const message of first) expect(outcomes.get(message.id)?.status).toBe("SUCCESSFUL");
    expect(apns.sessions.length - opened).toBeLessThanOrEqual(1);
    const connected = apns.sessions.length;
    // APNs sends GOAWAY and closes the connection (for maintenance, or after an idle hour).
    for (const session of apns.sessions) if (!session.closed) session.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = batch("2b");
    const again = await deliver(second);
    for (const message of second) expect(again.get(message.id)?.status).toBe("SUCCESSFUL");
    expect(apns.sessions.length).toBe(connected + 1);
  });

  it("sends FCM v1 data messages with Pinpoint's keys, authorized by one OAuth token for many sends", async () => {
    const messages = Array.from({ length: 20 }, (_, i) =>
      push("GCM", `fcm-token-${i}`, { action: "DEEP_LINK", url: "shop://orders/42", data: { orderId: "42" } }),
    );
    const outcomes = await deliver(messages);
    for (const message of messages) {
      expect(outcomes.get(message.id)?.status).toBe("SUCCESSFUL");
      expect(outcomes.get(message.id)?.providerMessageId).toMatch(/^projects\/waymark-test\/messages\//);
    }
    const tokenRequests = fcm.received.filter((r) => r.path === "/token");
    expect(tokenRequests).toHaveLength(1);
    const form = new URLSearchParams(tokenRequests[0].body);
    expect(form.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
    const { header, claims } = verifiedWebToken(String(form.get("assertion")), googleKeys.publicKey);
    expect(header.alg).toBe("RS256");
    expect(claims).toMatchObject({
      iss: "sender@waymark-test.iam.gserviceaccount.com",
      scope: "https://www.googleapis.com/auth/firebase.messaging",
      aud: "https://oauth2.googleapis.com/token",
    });
    const request = requestFor(fcm, "fcm-token-7");
    expect(request.path).toBe("/v1/projects/waymark-test/messages:send");
    expect(request.headers.authorization).toBe("Bearer ya29.test-1");
    expect(JSON.parse(request.body)).toEqual({
      message: {
        token: "fcm-token-7",
        data: {
          "pinpoint.notification.title": "Your order shipped",
          "pinpoint.notification.body": "It arrives Tuesday",
          "pinpoint.notification.silentPush": "0",
          "pinpoint.deeplink": "shop://orders/42",
          "pinpoint.campaign.campaign_id": "_DIRECT",
          "pinpoint.jsonBody": '{"orderId":"42"}',
        },
        android: { priority: "HIGH" },
      },
    });
    const later = push("GCM", "fcm-token-later", { silent: true, timeToLive: 600 });
    expect((await deliver([later])).get(later.id)?.status).toBe("SUCCESSFUL");
    expect(fcm.received.filter((r) => r.path === "/token")).toHaveLength(1);
    expect(JSON.parse(requestFor(fcm, "fcm-token-later").body).message.android).toEqual({
      priority: "NORMAL",
      ttl: "600s",
    });
  });

  it("sends a batch to FCM several at a time, not one after another", async () => {
    const messages = Array.from({ length: 16 }, (_, i) => push("GCM", `slow-token-${i}`));
    const started = Date.now();
    const outcomes = await deliver(messages);
    for (const message of messages) expect(outcomes.get(message.id)?.status).toBe("SUCCESSFUL");
    expect(fcm.mostInFlight()).toBeGreaterThan(4);
    expect(Date.now() - started).toBeLessThan(16 * 200);
  });

  it("translates a legacy FCM RawContent payload to the v1 message", async () => {
    const raw = JSON.stringify({
      notification: { title: "Sale", body: "Today only", sound: "chime" },
      data: { count: 3 },
      priority: "high",
      time_to_live: 120,
    });
    const message = push("GCM", "fcm-raw", { raw });
    expect((await deliver([message])).get(message.id)?.status).toBe("SUCCESSFUL");
    expect(JSON.parse(requestFor(fcm, "fcm-raw").body)).toEqual({
      message: {
        token: "fcm-raw",
        notification: { title: "Sale", body: "Today only" },
        data: { count: "3" },
        android: { priority: "HIGH", ttl: "120s", notification: { sound: "chime" } },
      },
    });
  });

  it("marks the endpoint INACTIVE when FCM says its token is unregistered or invalid", async () => {
    await registerEndpoint("pixel-gone", "GCM", "dead-fcm-token");
    await registerEndpoint("pixel-bad", "GCM", "bad-fcm-token");
    const gone = push("GCM", "dead-fcm-token", {}, { endpointId: "pixel-gone" });
    const bad = push("GCM", "bad-fcm-token", {}, { endpointId: "pixel-bad" });
    const outcomes = await deliver([gone, bad]);
    expect(outcomes.get(gone.id)).toMatchObject({ status: "PERMANENT_FAILURE", statusCode: 404 });
    expect(outcomes.get(gone.id)?.statusMessage).toContain("UNREGISTERED");
    expect(outcomes.get(bad.id)).toMatchObject({ status: "PERMANENT_FAILURE", statusCode: 400 });
    expect(await endpointStatus("pixel-gone")).toBe("INACTIVE");
    expect(await endpointStatus("pixel-bad")).toBe("INACTIVE");
  });

  it("answers THROTTLED for FCM's QUOTA_EXCEEDED and retries the message", async () => {
    const direct = push("GCM", "busy-direct");
    expect((await deliver([direct])).get(direct.id)).toMatchObject({ status: "THROTTLED", statusCode: 429 });
    const queued = push("GCM", "busy-queued", {}, { maxAttempts: 3 });
    await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, [queued]));
    t.server.services.delivery.wake();
    expect((await waitForStatus(queued.id, "SUCCESSFUL")).attempts).toBe(2);
  });

  it("delivers SendMessages to APNs and FCM, and a dead token answers PERMANENT_FAILURE and retires its endpoint", async () => {
    await registerEndpoint("iphone-sent", "APNS", "dead-sent".padEnd(64, "0"));
    const response = await t.client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          Addresses: { ["7a".repeat(32)]: { ChannelType: "APNS" }, "fcm-direct": { ChannelType: "GCM" } },
          Endpoints: { "iphone-sent": {} },
          MessageConfiguration: {
            APNSMessage: {
              Title: "Flash sale",
              Body: "Shoes 40% off",
              Action: "URL",
              Url: "https://shop.example.com/s",
            },
            GCMMessage: { Title: "Flash sale", Body: "Shoes 40% off", Priority: "normal" },
          },
        },
      }),
    );
    const results = response.MessageResponse?.Result ?? {};
    expect(results["7a".repeat(32)]).toMatchObject({ DeliveryStatus: "SUCCESSFUL", StatusCode: 200 });
    expect(results["fcm-direct"]).toMatchObject({ DeliveryStatus: "SUCCESSFUL", StatusCode: 200 });
    const sentToEndpoint = response.MessageResponse?.EndpointResult?.["iphone-sent"];
    expect(sentToEndpoint).toMatchObject({ DeliveryStatus: "PERMANENT_FAILURE", StatusCode: 410 });
    expect(await endpointStatus("iphone-sent")).toBe("INACTIVE");
    const apnsPayload = JSON.parse(requestFor(apns, "7a".repeat(32)).body);
    expect(apnsPayload.aps.alert).toEqual({ title: "Flash sale", body: "Shoes 40% off" });
    expect(apnsPayload.data.pinpoint.deeplink).toBe("https://shop.example.com/s");
    const fcmMessage = JSON.parse(requestFor(fcm, "fcm-direct").body).message;
    expect(fcmMessage.data["pinpoint.notification.title"]).toBe("Flash sale");
    expect(fcmMessage.android.priority).toBe("NORMAL");
  });

  it("sends ADM messages with one client-credentials token, retiring invalid registrations and retrying throttled ones", async () => {
    await registerEndpoint("fire-gone", "ADM", "dead-registration");
    const messages = Array.from({ length: 5 }, (_, i) =>
      push("ADM", `amzn1.adm-registration.${i}`, { timeToLive: 900 }),
    );
    const gone = push("ADM", "dead-registration", {}, { endpointId: "fire-gone" });
    const outcomes = await deliver([...messages, gone]);
    for (const message of messages) expect(outcomes.get(message.id)?.status).toBe("SUCCESSFUL");
    expect(outcomes.get(gone.id)).toMatchObject({ status: "PERMANENT_FAILURE", statusCode: 400 });
    expect(await endpointStatus("fire-gone")).toBe("INACTIVE");
    const tokenRequests = adm.received.filter((r) => r.path === "/auth/o2/token");
    expect(tokenRequests).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(tokenRequests[0].body))).toEqual({
      grant_type: "client_credentials",
      scope: "messaging:push",
      client_id: "amzn1.application-oa2-client.waymark",
      client_secret: "adm-secret",
    });
    const request = requestFor(adm, "amzn1.adm-registration.3");
    expect(request.path).toBe("/messaging/registrations/amzn1.adm-registration.3/messages");
    expect(request.headers).toMatchObject({
      authorization: "Bearer Atc|adm-1",
      "x-amzn-type-version": "com.amazon.device.messaging.ADMMessage@1.0",
      "x-amzn-accept-type": "com.amazon.device.messaging.ADMSendResult@1.0",
    });
    const body = JSON.parse(request.body);
    expect(body.expiresAfter).toBe(900);
    expect(body.data).toMatchObject({
      "pinpoint.notification.title": "Your order shipped",
      "pinpoint.openApp": "true",
    });
    const busy = push("ADM", "busy-registration", {}, { maxAttempts: 3 });
    await db()
      .transaction()
      .execute((trx) => enqueueMessages(trx, [busy]));
    t.server.services.delivery.wake();
    expect((await waitForStatus(busy.id, "SUCCESSFUL")).attempts).toBe(2);
  });

  it("sends Baidu pass-through messages signed with the channel's secret key", async () => {
    const message = push("BAIDU", "3708291827364512345", { timeToLive: 600, data: { coupon: "SAVE 10%" } });
    const unknown = push("BAIDU", "bad-channel");
    const down = push("BAIDU", "down-channel");
    const outcomes = await deliver([message, unknown, down]);
    expect(outcomes.get(message.id)).toMatchObject({ status: "SUCCESSFUL", providerMessageId: "7700123456789" });
    expect(outcomes.get(unknown.id)).toMatchObject({ status: "PERMANENT_FAILURE", statusCode: 400 });
    expect(outcomes.get(unknown.id)?.statusMessage).toContain("30608");
    expect(outcomes.get(down.id)).toMatchObject({ status: "TEMPORARY_FAILURE", statusCode: 503 });
    const request = baidu.received.find((r) => r.body.includes("3708291827364512345"));
    expect(request?.path).toBe("/rest/3.0/push/single_device");
    const params = new URLSearchParams(request?.body);
    expect(params.get("apikey")).toBe("baidu-api-key");
    expect(params.get("device_type")).toBe("3");
    expect(params.get("msg_type")).toBe("0");
    expect(params.get("msg_expires")).toBe("600");
    expect(Math.abs(Number(params.get("timestamp")) - Date.now() / 1000)).toBeLessThan(60);
    expect(JSON.parse(params.get("msg") ?? "{}")).toMatchObject({
      "pinpoint.notification.title": "Your order shipped",
      "pinpoint.jsonBody": '{"coupon":"SAVE 10%"}',
    });
    const url = `${baidu.url}/rest/3.0/push/single_device`;
    expect(params.get("sign")).toBe(expectedBaiduSignature(url, params, "baidu secret*key~"));
  });

  it("fails GCM sends with a legacy server key only, telling the operator to upload ServiceJson", async () => {
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Legacy" } }));
    const legacyAppId = app.ApplicationResponse?.Id ?? "";
    await t.client.send(
      new UpdateGcmChannelCommand({ ApplicationId: legacyAppId, GCMChannelRequest: { ApiKey: "AAAA-legacy-key" } }),
    );
    const message = push("GCM", "legacy-token", {}, { appId: legacyAppId });
    const outcome = (await deliver([message])).get(message.id);
    expect(outcome?.status).toBe("PERMANENT_FAILURE");
    expect(outcome?.statusMessage).toContain("ServiceJson");
    expect(fcm.received.some((r) => r.body.includes("legacy-token"))).toBe(false);
  });
});
