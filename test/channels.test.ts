import {
  BadRequestException,
  type ChannelResponse,
  CreateAppCommand,
  DeleteAdmChannelCommand,
  DeleteApnsChannelCommand,
  DeleteApnsSandboxChannelCommand,
  DeleteApnsVoipChannelCommand,
  DeleteApnsVoipSandboxChannelCommand,
  DeleteBaiduChannelCommand,
  DeleteEmailChannelCommand,
  DeleteGcmChannelCommand,
  DeleteSmsChannelCommand,
  DeleteVoiceChannelCommand,
  GetAdmChannelCommand,
  GetApnsChannelCommand,
  GetApnsSandboxChannelCommand,
  GetApnsVoipChannelCommand,
  GetApnsVoipSandboxChannelCommand,
  GetBaiduChannelCommand,
  GetChannelsCommand,
  GetEmailChannelCommand,
  GetGcmChannelCommand,
  GetSmsChannelCommand,
  GetVoiceChannelCommand,
  NotFoundException,
  type PinpointClient,
  UpdateAdmChannelCommand,
  UpdateApnsChannelCommand,
  UpdateApnsSandboxChannelCommand,
  UpdateApnsVoipChannelCommand,
  UpdateApnsVoipSandboxChannelCommand,
  UpdateBaiduChannelCommand,
  UpdateEmailChannelCommand,
  UpdateGcmChannelCommand,
  UpdateSmsChannelCommand,
  UpdateVoiceChannelCommand,
} from "@aws-sdk/client-pinpoint";
import { HttpResponse } from "@smithy/protocol-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChannelType, getChannel, getChannels } from "../src/channels/settings/index.js";
import { databases, startTestServer, type TestServer, testCredentials } from "./support/server.js";

type Settings = Record<string, unknown>;
/** The common fields every channel response has; the channel's own are checked with toMatchObject. */
type Response = (ChannelResponse & { Platform?: string }) | undefined;

/** One channel's three operations, through the SDK, answering the channel response. */
interface ChannelOperations {
  update(client: PinpointClient, appId: string, request: Settings): Promise<Response>;
  get(client: PinpointClient, appId: string): Promise<Response>;
  remove(client: PinpointClient, appId: string): Promise<Response>;
}

interface ChannelCase extends ChannelOperations {
  platform: string;
  id: string;
  /** A complete first configuration, holding every secret the channel takes. */
  request: Settings;
  /** What the first update answers beside the common fields. */
  expected: Settings;
  /** A second update: as little as Pinpoint lets one send, always disabling the channel. */
  change: Settings;
  hasCredential: boolean;
}

const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

/** Every secret a test sends carries this, so a response holding one is easy to spot. */
const secret = (name: string) => `SECRET-${name}-d41d8cd9`;

const apnsRequest = (name: string) => ({
  Certificate: pem("CERTIFICATE", secret(`${name}-certificate`)),
  PrivateKey: pem("RSA PRIVATE KEY", secret(`${name}-private-key`)),
  TokenKey: pem("PRIVATE KEY", secret(`${name}-token-key`)),
  TokenKeyId: secret(`${name}-token-key-id`),
  BundleId: "com.example.shop",
  TeamId: "TEAM123456",
});

const serviceJson = JSON.stringify({
  type: "service_account",
  project_id: "shop-app",
  private_key: pem("PRIVATE KEY", secret("fcm-private-key")),
  client_email: "pinpoint@shop-app.iam.gserviceaccount.com",
});

const identity = "arn:aws:ses:us-east-1:123456789012:identity/example.com";

const email: ChannelOperations = {
  update: async (client, ApplicationId, request) =>
    (await client.send(new UpdateEmailChannelCommand({ ApplicationId, EmailChannelRequest: request as never })))
      .EmailChannelResponse,
  get: async (client, ApplicationId) =>
    (await client.send(new GetEmailChannelCommand({ ApplicationId }))).EmailChannelResponse,
  remove: async (client, ApplicationId) =>
    (await client.send(new DeleteEmailChannelCommand({ ApplicationId }))).EmailChannelResponse,
};

const sms: ChannelOperations = {
  update: async (client, ApplicationId, request) =>
    (await client.send(new UpdateSmsChannelCommand({ ApplicationId, SMSChannelRequest: request }))).SMSChannelResponse,
  get: async (client, ApplicationId) =>
    (await client.send(new GetSmsChannelCommand({ ApplicationId }))).SMSChannelResponse,
  remove: async (client, ApplicationId) =>
    (await client.send(new DeleteSmsChannelCommand({ ApplicationId }))).SMSChannelResponse,
};

const voice: ChannelOperations = {
  update: async (client, ApplicationId, request) =>
    (await client.send(new UpdateVoiceChannelCommand({ ApplicationId, VoiceChannelRequest: request })))
      .VoiceChannelResponse,
  get: async (client, ApplicationId) =>
    (await client.send(new GetVoiceChannelCommand({ ApplicationId }))).VoiceChannelResponse,
  remove: async (client, ApplicationId) =>
    (await client.send(new DeleteVoiceChannelCommand({ ApplicationId }))).VoiceChannelResponse,
};

const apns: ChannelOperations = {
  update: async (client, ApplicationId, request) =>
    (await client.send(new UpdateApnsChannelCommand({ ApplicationId, APNSChannelRequest: request })))
      .APNSChannelResponse,
  get: async (client, ApplicationId) =>
    (await client.send(new GetApnsChannelCommand({ ApplicationId }))).APNSChannelResponse,
  remove: async (client, ApplicationId) =>
    (await client.send(new DeleteApnsChannelCommand({ ApplicationId }))).APNSChannelResponse,
};

const apnsSandbox: ChannelOperations = {
  update: async (client, ApplicationId, request) =>
    (await client.send(new UpdateApnsSandboxChannelCommand({ ApplicationId, APNSSandboxChannelRequest: request })))
      .APNSSandboxChannelResponse,
  get: async (client, ApplicationId) =>
    (await client.send(new GetApnsSandboxChannelCommand({ ApplicationId }))).APNSSandboxChannelResponse,
  remove: async (client, ApplicationId) =>
    (await client.send(new DeleteApnsSandboxChannelCommand({ ApplicationId }))).APNSSandboxChannelResponse,
};

const apnsVoip: ChannelOperations = {
  update: async (client, ApplicationId, request) =>
    (await client.send(new UpdateApnsVoipChannelCommand({ ApplicationId, APNSVoipChannelRequest: request })))
      .APNSVoipChannelResponse,
  get: async (client, ApplicationId) =>
    (await client.send(new GetApnsVoipChannelCommand({ ApplicationId }))).APNSVoipChannelResponse,
  remove: async (client, ApplicationId) =>
    (await client.send(new DeleteApnsVoipChannelCommand({ ApplicationId }))).APNSVoipChannelResponse,
};

const apnsVoipSandbox: ChannelOperations = {
  update: async (client, ApplicationId, request) =>
    (
      await client.send(
        new UpdateApnsVoipSandboxChannelCommand({ ApplicationId, APNSVoipSandboxChannelRequest: request }),
      )
    ).APNSVoipSandboxChannelResponse,
  get: async (client, ApplicationId) =>
    (await client.send(new GetApnsVoipSandboxChannelCommand({ ApplicationId }))).APNSVoipSandboxChannelResponse,
  remove: async (client, ApplicationId) =>
    (await client.send(new DeleteApnsVoipSandboxChannelCommand({ ApplicationId }))).APNSVoipSandboxChannelResponse,
};

const gcm: ChannelOperations = {
  update: async (client, ApplicationId, request) =>
    (await client.send(new UpdateGcmChannelCommand({ ApplicationId, GCMChannelRequest: request }))).GCMChannelResponse,
  get: async (client, ApplicationId) =>
    (await client.send(new GetGcmChannelCommand({ ApplicationId }))).GCMChannelResponse,
  remove: async (client, ApplicationId) =>
    (await client.send(new DeleteGcmChannelCommand({ ApplicationId }))).GCMChannelResponse,
};

const baidu: ChannelOperations = {
  update: async (client, ApplicationId, request) =>
    (await client.send(new UpdateBaiduChannelCommand({ ApplicationId, BaiduChannelRequest: request as never })))
      .BaiduChannelResponse,
  get: async (client, ApplicationId) =>
    (await client.send(new GetBaiduChannelCommand({ ApplicationId }))).BaiduChannelResponse,
  remove: async (client, ApplicationId) =>
    (await client.send(new DeleteBaiduChannelCommand({ ApplicationId }))).BaiduChannelResponse,
};

const adm: ChannelOperations = {
  update: async (client, ApplicationId, request) =>
    (await client.send(new UpdateAdmChannelCommand({ ApplicationId, ADMChannelRequest: request as never })))
      .ADMChannelResponse,
  get: async (client, ApplicationId) =>
    (await client.send(new GetAdmChannelCommand({ ApplicationId }))).ADMChannelResponse,
  remove: async (client, ApplicationId) =>
    (await client.send(new DeleteAdmChannelCommand({ ApplicationId }))).ADMChannelResponse,
};

const channelCases: ChannelCase[] = [
  {
    ...email,
    platform: "EMAIL",
    id: "email",
    request: {
      FromAddress: "Shop <shop@example.com>",
      Identity: identity,
      RoleArn: "arn:aws:iam::123456789012:role/pinpoint-events",
      ConfigurationSet: "shop-events",
    },
    expected: {
      FromAddress: "Shop <shop@example.com>",
      Identity: identity,
      RoleArn: "arn:aws:iam::123456789012:role/pinpoint-events",
      ConfigurationSet: "shop-events",
      MessagesPerSecond: 1,
    },
    change: { Enabled: false, FromAddress: "news@mail.example.com", Identity: identity },
    hasCredential: false,
  },
  {
    ...sms,
    platform: "SMS",
    id: "sms",
    request: { SenderId: "Shop", ShortCode: "12345" },
    expected: {
      SenderId: "Shop",
      ShortCode: "12345",
      PromotionalMessagesPerSecond: 20,
      TransactionalMessagesPerSecond: 20,
    },
    change: { Enabled: false },
    hasCredential: false,
  },
  {
    ...voice,
    platform: "VOICE",
    id: "voice",
    request: {},
    expected: {},
    change: { Enabled: false },
    hasCredential: false,
  },
  {
    ...apns,
    platform: "APNS",
    id: "apns",
    request: apnsRequest("apns"),
    expected: { DefaultAuthenticationMethod: "CERTIFICATE", HasTokenKey: true },
    change: { Enabled: false },
    hasCredential: true,
  },
  {
    ...apnsSandbox,
    platform: "APNS_SANDBOX",
    id: "apns_sandbox",
    request: { ...apnsRequest("apns-sandbox"), Certificate: undefined, PrivateKey: undefined },
    expected: { DefaultAuthenticationMethod: "TOKEN", HasTokenKey: true },
    change: { Enabled: false },
    hasCredential: true,
  },
  {
    ...apnsVoip,
    platform: "APNS_VOIP",
    id: "apns_voip",
    request: { ...apnsRequest("apns-voip"), DefaultAuthenticationMethod: "TOKEN" },
    expected: { DefaultAuthenticationMethod: "TOKEN", HasTokenKey: true },
    change: { Enabled: false },
    hasCredential: true,
  },
  {
    ...apnsVoipSandbox,
    platform: "APNS_VOIP_SANDBOX",
    id: "apns_voip_sandbox",
    request: {
      Certificate: pem("CERTIFICATE", secret("voip-sandbox-certificate")),
      PrivateKey: pem("PRIVATE KEY", secret("voip-sandbox-private-key")),
    },
    expected: { DefaultAuthenticationMethod: "CERTIFICATE", HasTokenKey: false },
    change: { Enabled: false },
    hasCredential: true,
  },
  {
    ...gcm,
    platform: "GCM",
    id: "gcm",
    request: { ApiKey: secret("gcm-api-key"), ServiceJson: serviceJson, DefaultAuthenticationMethod: "TOKEN" },
    expected: { DefaultAuthenticationMethod: "TOKEN", HasFcmServiceCredentials: true },
    change: { Enabled: false },
    hasCredential: true,
  },
  {
    ...baidu,
    platform: "BAIDU",
    id: "baidu",
    request: { ApiKey: secret("baidu-api-key"), SecretKey: secret("baidu-secret-key") },
    expected: {},
    change: { Enabled: false, ApiKey: secret("baidu-api-key-2"), SecretKey: secret("baidu-secret-key-2") },
    hasCredential: true,
  },
  {
    ...adm,
    platform: "ADM",
    id: "adm",
    request: { ClientId: secret("adm-client-id"), ClientSecret: secret("adm-client-secret") },
    expected: {},
    change: { Enabled: false, ClientId: secret("adm-client-id-2"), ClientSecret: secret("adm-client-secret-2") },
    hasCredential: true,
  },
];

const channelCase = (platform: string): ChannelCase => {
  const found = channelCases.find((c) => c.platform === platform);
  if (!found) throw new Error(`no case for ${platform}`);
  return found;
};

/** Requests Pinpoint refuses, each on a channel already set, with the message that says why. */
const refusals: Array<[platform: string, request: Settings, message: RegExp]> = [
  ["EMAIL", { FromAddress: "not-an-address", Identity: identity }, /FromAddress must be an email address/],
  ["EMAIL", { FromAddress: "shop@example.com" }, /Identity/],
  ["EMAIL", { FromAddress: "shop@example.com", Identity: "example.com" }, /Identity must be the ARN/],
  [
    "EMAIL",
    { FromAddress: "shop@elsewhere.com", Identity: identity },
    /shop@elsewhere.com is not covered by the identity example.com/,
  ],
  ["EMAIL", { FromAddress: "shop@example.com", Identity: identity, RoleArn: "events" }, /RoleArn/],
  ["SMS", { SenderId: "ThisSenderIsTooLong" }, /SenderId must be 1 to 11/],
  ["SMS", { ShortCode: "12ab" }, /ShortCode/],
  ["APNS", { Certificate: pem("CERTIFICATE", secret("lonely-certificate")) }, /Certificate and PrivateKey/],
  ["APNS", { DefaultAuthenticationMethod: "PASSWORD" }, /CERTIFICATE or TOKEN/],
  ["APNS_SANDBOX", { TeamId: "" }, /TeamId/],
  ["APNS_SANDBOX", { DefaultAuthenticationMethod: "CERTIFICATE" }, /CERTIFICATE needs a Certificate/],
  ["APNS_VOIP_SANDBOX", { TokenKey: pem("PRIVATE KEY", secret("partial-token")) }, /TokenKeyId/],
  [
    "APNS_VOIP_SANDBOX",
    { Certificate: secret("not-pem-certificate"), PrivateKey: secret("not-pem-key") },
    /PEM-encoded certificate/,
  ],
  ["GCM", { DefaultAuthenticationMethod: "PASSWORD" }, /KEY or TOKEN/],
  ["GCM", { ServiceJson: "not json" }, /ServiceJson must be the JSON key file/],
  ["GCM", { ServiceJson: JSON.stringify({ project_id: "shop-app" }) }, /ServiceJson has no private_key/],
  ["BAIDU", { ApiKey: secret("baidu-api-key"), SecretKey: " " }, /SecretKey is required/],
  ["ADM", { ClientId: secret("adm-client-id") }, /ClientSecret/],
];

/** Requests refused on a channel never set: nothing to merge them over. */
const refusedFirstRequests: Array<[platform: string, request: Settings, message: RegExp]> = [
  ["APNS", { Enabled: true }, /needs credentials/],
  [
    "APNS",
    { ...apnsRequest("token-only"), Certificate: undefined, PrivateKey: undefined, TeamId: undefined },
    /TeamId/,
  ],
  ["GCM", { Enabled: true }, /needs credentials: ApiKey or ServiceJson/],
  ["GCM", { ApiKey: secret("gcm-key-only"), DefaultAuthenticationMethod: "TOKEN" }, /TOKEN needs a ServiceJson/],
  ["EMAIL", { FromAddress: "shop@example.com", Identity: identity, Enabled: true, RoleArn: "" }, /RoleArn/],
];

describe.each(databases)("channel settings on %s", (kind) => {
  let t: TestServer;
  /** Every response body the server sent, as text, before the SDK parsed it. */
  const responseBodies: string[] = [];

  beforeAll(async () => {
    t = await startTestServer(kind);
    t.client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        if (HttpResponse.isInstance(result.response)) {
          const chunks: Buffer[] = [];
          for await (const chunk of result.response.body as AsyncIterable<Buffer>) chunks.push(chunk);
          const body = Buffer.concat(chunks);
          responseBodies.push(body.toString("utf8"));
          result.response.body = new Uint8Array(body);
        }
        return result;
      },
      { step: "deserialize", priority: "low", name: "recordResponseBodies" },
    );
  });
  afterAll(() => t.close());

  async function newApp(name: string): Promise<string> {
    const created = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: name } }));
    return created.ApplicationResponse?.Id ?? "";
  }

  it.each(channelCases)(
    "$platform channel round-trips: update, get, a versioned change, delete, then 404",
    async (channel) => {
      const appId = await newApp(`round-trip ${channel.platform}`);
      const created = await channel.update(t.client, appId, channel.request);
      expect(created).toMatchObject({
        ...channel.expected,
        ApplicationId: appId,
        Enabled: true,
        Id: channel.id,
        IsArchived: false,
        LastModifiedBy: testCredentials.accessKeyId,
        Platform: channel.platform,
        Version: 1,
      });
      expect(created?.HasCredential).toBe(channel.hasCredential ? true : undefined);
      expect(created?.CreationDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(await channel.get(t.client, appId)).toEqual(created);

      const changed = await channel.update(t.client, appId, channel.change);
      expect(changed).toMatchObject({ Enabled: false, Version: 2, CreationDate: created?.CreationDate });
      expect(String(changed?.LastModifiedDate) >= String(created?.LastModifiedDate)).toBe(true);
      expect(await channel.get(t.client, appId)).toEqual(changed);

      expect(await channel.remove(t.client, appId)).toEqual(changed);
      await expect(channel.get(t.client, appId)).rejects.toBeInstanceOf(NotFoundException);
      await expect(channel.remove(t.client, appId)).rejects.toBeInstanceOf(NotFoundException);
    },
  );

  it("keeps stored credentials when an update leaves them out", async () => {
    const appId = await newApp("kept credentials");
    const channel = channelCase("APNS");
    await channel.update(t.client, appId, channel.request);
    const changed = await channel.update(t.client, appId, { Enabled: false, DefaultAuthenticationMethod: "token" });
    expect(changed).toMatchObject({ DefaultAuthenticationMethod: "TOKEN", HasTokenKey: true, Version: 2 });

    const row = await t.server.services.store.db
      .selectFrom("channels")
      .select("settings")
      .where("app_id", "=", appId)
      .where("channel_type", "=", "APNS")
      .executeTakeFirstOrThrow();
    const stored = typeof row.settings === "string" ? JSON.parse(row.settings) : row.settings;
    expect(stored).toMatchObject({ ...channel.request, Enabled: false, DefaultAuthenticationMethod: "TOKEN" });
  });

  it("never answers a secret, in any response body", async () => {
    const appId = await newApp("secrets");
    const before = responseBodies.length;
    for (const channel of channelCases) {
      await channel.update(t.client, appId, channel.request);
      await channel.get(t.client, appId);
      await channel.update(t.client, appId, channel.change);
    }
    await t.client.send(new GetChannelsCommand({ ApplicationId: appId }));
    // A refused request must not echo the secret it carried either.
    await expect(
      channelCase("APNS").update(t.client, appId, { Certificate: secret("echoed-certificate"), PrivateKey: "x" }),
    ).rejects.toBeInstanceOf(BadRequestException);
    // The domain builds its answers without secrets too, whatever the API's output projection drops.
    const { services } = t.server;
    const answers = await Promise.all([
      getChannels(services, appId),
      ...channelCases.map((channel) => getChannel(services, appId, channel.platform as ChannelType)),
    ]);
    expect(JSON.stringify(answers)).not.toContain("SECRET-");
    for (const channel of channelCases) await channel.remove(t.client, appId);

    const bodies = responseBodies.slice(before);
    expect(bodies.length).toBe(channelCases.length * 4 + 2);
    expect(bodies.join("\n")).toContain('"Platform":"APNS"');
    for (const body of bodies) expect(body).not.toContain("SECRET-");
    for (const body of bodies) expect(body).not.toContain("gserviceaccount");
  });

  it("lists the channels that are set, with the in-app channel Pinpoint always shows", async () => {
    const appId = await newApp("listing");
    const empty = await t.client.send(new GetChannelsCommand({ ApplicationId: appId }));
    expect(empty.ChannelsResponse?.Channels).toEqual({ IN_APP: { Enabled: true, IsArchived: false, Version: 0 } });

    for (const platform of ["EMAIL", "SMS", "GCM"]) {
      const channel = channelCase(platform);
      await channel.update(t.client, appId, channel.request);
    }
    await channelCase("SMS").update(t.client, appId, { Enabled: false });
    const listed = (await t.client.send(new GetChannelsCommand({ ApplicationId: appId }))).ChannelsResponse?.Channels;
    expect(Object.keys(listed ?? {}).sort()).toEqual(["EMAIL", "GCM", "IN_APP", "SMS"]);
    expect(listed?.EMAIL).toMatchObject({ ApplicationId: appId, Enabled: true, Id: "email", Version: 1 });
    expect(listed?.EMAIL?.HasCredential).toBeUndefined();
    expect(listed?.SMS).toMatchObject({ Enabled: false, Id: "sms", Version: 2 });
    expect(listed?.GCM).toMatchObject({ HasCredential: true, Id: "gcm", Version: 1 });

    await channelCase("SMS").remove(t.client, appId);
    const after = (await t.client.send(new GetChannelsCommand({ ApplicationId: appId }))).ChannelsResponse?.Channels;
    expect(Object.keys(after ?? {}).sort()).toEqual(["EMAIL", "GCM", "IN_APP"]);
  });

  it.each(refusals)("refuses a bad %s update with 400 and changes nothing (%#)", async (platform, request, message) => {
    const appId = await newApp(`refused ${platform}`);
    const channel = channelCase(platform);
    const before = await channel.update(t.client, appId, channel.request);
    const refused = channel.update(t.client, appId, request);
    await expect(refused).rejects.toBeInstanceOf(BadRequestException);
    await expect(refused).rejects.toThrow(message);
    expect(await channel.get(t.client, appId)).toEqual(before);
  });

  it.each(refusedFirstRequests)(
    "refuses a bad first %s request with 400 and leaves the channel unset (%#)",
    async (platform, request, message) => {
      const appId = await newApp(`refused first ${platform}`);
      const channel = channelCase(platform);
      const refused = channel.update(t.client, appId, request);
      await expect(refused).rejects.toBeInstanceOf(BadRequestException);
      await expect(refused).rejects.toThrow(message);
      await expect(channel.get(t.client, appId)).rejects.toBeInstanceOf(NotFoundException);
    },
  );

  it("answers NotFoundException for the channels of an unknown app", async () => {
    const sms = channelCase("SMS");
    await expect(sms.update(t.client, "missing", { Enabled: true })).rejects.toThrow(/Application not found/);
    await expect(sms.get(t.client, "missing")).rejects.toBeInstanceOf(NotFoundException);
    await expect(sms.remove(t.client, "missing")).rejects.toBeInstanceOf(NotFoundException);
    await expect(t.client.send(new GetChannelsCommand({ ApplicationId: "missing" }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it("loses no update when several change one channel at once", async () => {
    const appId = await newApp("concurrent");
    const sms = channelCase("SMS");
    const senders = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"];
    const answers = await Promise.all(senders.map((SenderId) => sms.update(t.client, appId, { SenderId })));
    expect(answers.map((a) => a?.Version).sort()).toEqual([1, 2, 3, 4, 5]);
    const last = answers.find((a) => a?.Version === 5);
    expect(await sms.get(t.client, appId)).toEqual(last);
  });
});
