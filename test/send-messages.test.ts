import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  BadRequestException,
  CreateAppCommand,
  CreateEmailTemplateCommand,
  CreateSmsTemplateCommand,
  NotFoundException,
  SendMessagesCommand,
  SendUsersMessagesCommand,
  UpdateEmailChannelCommand,
  UpdateEndpointsBatchCommand,
  UpdateSmsTemplateCommand,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optOut } from "../src/messages/opt-outs.js";
import { fromJson } from "../src/store/index.js";
import { cliPath } from "./support/process.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";
import { signedFetch } from "./support/signed-fetch.js";

const run = promisify(execFile);

describe.each(databases)("SendMessages to the sandbox on %s", (kind) => {
  let t: TestServer;
  let appId: string;
  beforeAll(async () => {
    t = await startTestServer(kind);
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Direct" } }));
    appId = app.ApplicationResponse?.Id ?? "";
    await t.client.send(
      new UpdateEmailChannelCommand({
        ApplicationId: appId,
        EmailChannelRequest: {
          FromAddress: "hello@shop.example",
          Identity: "arn:aws:ses:us-east-1:000000000000:identity/shop.example",
        },
      }),
    );
    await t.client.send(
      new UpdateEndpointsBatchCommand({
        ApplicationId: appId,
        EndpointBatchRequest: {
          Item: [
            {
              Id: "ada-email",
              ChannelType: "EMAIL",
              Address: "ada@example.com",
              User: { UserId: "ada", UserAttributes: { FirstName: ["Ada"] } },
              Attributes: { City: ["London"] },
            },
            {
              Id: "ada-sms",
              ChannelType: "SMS",
              Address: "+447700900123",
              User: { UserId: "ada", UserAttributes: { FirstName: ["Ada"] } },
            },
            { Id: "gone", ChannelType: "EMAIL", Address: "gone@example.com", OptOut: "ALL" },
          ],
        },
      }),
    );
  });
  afterAll(() => t.close());

  const sandbox = async (messageId: string | undefined) => {
    const row = await t.server.services.store.db
      .selectFrom("sandbox_messages")
      .selectAll()
      .where("message_id", "=", messageId ?? "")
      .executeTakeFirst();
    return row ? { ...row, content: fromJson<Record<string, unknown>>(row.content) } : undefined;
  };

  it("sends to addresses and endpoints, rendering each recipient's variables", async () => {
    const answer = await t.client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          Addresses: { "guest@example.com": { ChannelType: "EMAIL" }, "+15555550100": { ChannelType: "SMS" } },
          Endpoints: { "ada-email": {}, "ada-sms": { BodyOverride: "Override for {{User.UserAttributes.FirstName}}" } },
          MessageConfiguration: {
            EmailMessage: {
              SimpleEmail: {
                Subject: { Data: "Hello {{User.UserAttributes.FirstName}}" },
                HtmlPart: { Data: "<p>News from {{Attributes.City}}</p>" },
                TextPart: { Data: "News from {{Attributes.City}}" },
              },
            },
            SMSMessage: { Body: "Hi {{User.UserAttributes.FirstName}}", MessageType: "TRANSACTIONAL" },
          },
          TraceId: "trace-1",
        },
      }),
    );
    const response = answer.MessageResponse;
    expect(response?.ApplicationId).toBe(appId);
    expect(response?.Result?.["guest@example.com"]).toMatchObject({ DeliveryStatus: "SUCCESSFUL", StatusCode: 200 });
    expect(response?.Result?.["+15555550100"]?.DeliveryStatus).toBe("SUCCESSFUL");
    expect(response?.EndpointResult?.["ada-email"]).toMatchObject({
      DeliveryStatus: "SUCCESSFUL",
      Address: "ada@example.com",
    });

    const ada = await sandbox(response?.EndpointResult?.["ada-email"]?.MessageId);
    expect(ada?.content).toMatchObject({
      fromAddress: "hello@shop.example",
      subject: "Hello Ada",
      textBody: "News from London",
    });
    expect(String(ada?.content.htmlBody)).toContain("<p>News from London</p>");
    const sms = await sandbox(response?.EndpointResult?.["ada-sms"]?.MessageId);
    expect(sms?.content).toMatchObject({ body: "Override for Ada" });
    const guest = await sandbox(response?.Result?.["guest@example.com"]?.MessageId);
    expect(guest?.content).toMatchObject({ subject: "Hello " });
  });

  it("refuses opted-out endpoints and bad addresses per recipient, sending the rest", async () => {
    const answer = await t.client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          Addresses: {
            "not-an-email": { ChannelType: "EMAIL" },
            "0044 7700": { ChannelType: "SMS" },
            "fine@example.com": { ChannelType: "EMAIL" },
          },
          Endpoints: { gone: {}, "no-such-endpoint": {} },
          MessageConfiguration: {
            DefaultMessage: { Body: "Plain" },
            EmailMessage: { SimpleEmail: { Subject: { Data: "S" } } },
          },
        },
      }),
    );
    const response = answer.MessageResponse;
    expect(response?.Result?.["not-an-email"]).toMatchObject({ DeliveryStatus: "PERMANENT_FAILURE", StatusCode: 400 });
    expect(response?.Result?.["0044 7700"]?.StatusMessage).toMatch(/E\.164/);
    expect(response?.EndpointResult?.gone).toMatchObject({ DeliveryStatus: "OPT_OUT" });
    expect(response?.EndpointResult?.["no-such-endpoint"]).toMatchObject({
      DeliveryStatus: "PERMANENT_FAILURE",
      StatusCode: 404,
    });
    expect(response?.Result?.["fine@example.com"]?.DeliveryStatus).toBe("SUCCESSFUL");
    const sent = await t.server.services.store.db
      .selectFrom("sandbox_messages")
      .select("address")
      .where("address", "in", ["not-an-email", "gone@example.com"])
      .execute();
    expect(sent).toEqual([]);
  });

  it("refuses an address that opted out by itself, as OPT_OUT", async () => {
    await optOut(t.server.services.store.db, appId, "SMS", "+15555550177");
    const answer = await t.client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          Addresses: { "+15555550177": { ChannelType: "SMS" } },
          MessageConfiguration: { SMSMessage: { Body: "Hi" } },
        },
      }),
    );
    expect(answer.MessageResponse?.Result?.["+15555550177"]).toMatchObject({
      DeliveryStatus: "OPT_OUT",
      StatusMessage: "The address has opted out",
    });
  });

  it("sends one message when an endpoint and an address name the same recipient", async () => {
    const answer = await t.client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          Addresses: { "ada@example.com": { ChannelType: "EMAIL" } },
          Endpoints: { "ada-email": {} },
          MessageConfiguration: {
            EmailMessage: { SimpleEmail: { Subject: { Data: "Once" }, TextPart: { Data: "once" } } },
          },
        },
      }),
    );
    const statuses = [
      answer.MessageResponse?.Result?.["ada@example.com"]?.DeliveryStatus,
      answer.MessageResponse?.EndpointResult?.["ada-email"]?.DeliveryStatus,
    ].sort();
    expect(statuses).toEqual(["DUPLICATE", "SUCCESSFUL"]);
  });

  it("sends to every endpoint of a user with SendUsersMessages", async () => {
    const answer = await t.client.send(
      new SendUsersMessagesCommand({
        ApplicationId: appId,
        SendUsersMessageRequest: {
          Users: { ada: {}, nobody: {} },
          MessageConfiguration: {
            DefaultMessage: { Body: "For {{User.UserId}}" },
            EmailMessage: { SimpleEmail: { Subject: { Data: "Users" } } },
          },
        },
      }),
    );
    const result = answer.SendUsersMessageResponse?.Result ?? {};
    expect(Object.keys(result.ada ?? {}).sort()).toEqual(["ada-email", "ada-sms"]);
    expect(result.ada?.["ada-sms"]?.DeliveryStatus).toBe("SUCCESSFUL");
    expect(result.nobody).toEqual({});
  });

  it("records _email.send and _SMS.BUFFERED for what it sent", async () => {
    const events = await t.server.services.store.db
      .selectFrom("events")
      .select(["event_type", "endpoint_id"])
      .where("app_id", "=", appId)
      .where("endpoint_id", "in", ["ada-email", "ada-sms"])
      .execute();
    expect(events.map((e) => `${e.endpoint_id}:${e.event_type}`)).toEqual(
      expect.arrayContaining(["ada-email:_email.send", "ada-sms:_SMS.BUFFERED"]),
    );
  });

  it("sends from templates with their defaults, letting the request's own fields win", async () => {
    await t.client.send(
      new CreateEmailTemplateCommand({
        TemplateName: "welcome",
        EmailTemplateRequest: {
          Subject: "Welcome {{User.UserAttributes.FirstName}}",
          HtmlPart: "<h1>Hello from {{Attributes.City}}</h1>",
          TextPart: "Hello from {{Attributes.City}}",
          DefaultSubstitutions: JSON.stringify({
            "User.UserAttributes.FirstName": "friend",
            "Attributes.City": "our shop",
          }),
        },
      }),
    );
    await t.client.send(
      new CreateSmsTemplateCommand({ TemplateName: "welcome-sms", SMSTemplateRequest: { Body: "v1 {{Id}}" } }),
    );
    await t.client.send(
      new UpdateSmsTemplateCommand({
        TemplateName: "welcome-sms",
        CreateNewVersion: true,
        SMSTemplateRequest: { Body: "v2 {{Id}}" },
      }),
    );
    const answer = await t.client.send(
      new SendMessagesCommand({
        ApplicationId: appId,
        MessageRequest: {
          Addresses: { "stranger@example.com": { ChannelType: "EMAIL" } },
          Endpoints: { "ada-email": {}, "ada-sms": {} },
          MessageConfiguration: { EmailMessage: { SimpleEmail: { TextPart: { Data: "Request text wins" } } } },
          TemplateConfiguration: {
            EmailTemplate: { Name: "welcome" },
            SMSTemplate: { Name: "welcome-sms", Version: "1" },
          },
        },
      }),
    );
    const response = answer.MessageResponse;
    const ada = await sandbox(response?.EndpointResult?.["ada-email"]?.MessageId);
    expect(ada?.content).toMatchObject({ subject: "Welcome Ada", textBody: "Request text wins" });
    expect(String(ada?.content.htmlBody)).toContain("<h1>Hello from London</h1>");
    const stranger = await sandbox(response?.Result?.["stranger@example.com"]?.MessageId);
    expect(stranger?.content).toMatchObject({ subject: "Welcome friend" });
    expect(String(stranger?.content.htmlBody)).toContain("Hello from our shop");
    const sms = await sandbox(response?.EndpointResult?.["ada-sms"]?.MessageId);
    expect(sms?.content).toMatchObject({ body: "v1 ada-sms" });
  });

  it("answers 404 for a template that does not exist", async () => {
    await expect(
      t.client.send(
        new SendMessagesCommand({
          ApplicationId: appId,
          MessageRequest: {
            Endpoints: { "ada-sms": {} },
            MessageConfiguration: {},
            TemplateConfiguration: { SMSTemplate: { Name: "nope" } },
          },
        }),
      ),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it("refuses a request with no recipients or more than 100", async () => {
    await expect(
      t.client.send(new SendMessagesCommand({ ApplicationId: appId, MessageRequest: { MessageConfiguration: {} } })),
    ).rejects.toBeInstanceOf(BadRequestException);
    const Addresses = Object.fromEntries(
      Array.from({ length: 101 }, (_, i) => [`u${i}@example.com`, { ChannelType: "EMAIL" as const }]),
    );
    await expect(
      t.client.send(
        new SendMessagesCommand({ ApplicationId: appId, MessageRequest: { Addresses, MessageConfiguration: {} } }),
      ),
    ).rejects.toThrow(/at most 100/);
  });
});

describe("the sandbox outbox", () => {
  let t: TestServer;
  let appId: string;
  beforeAll(async () => {
    t = await startTestServer("sqlite");
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Outbox" } }));
    appId = app.ApplicationResponse?.Id ?? "";
    for (const n of [1, 2, 3]) {
      await t.client.send(
        new SendMessagesCommand({
          ApplicationId: appId,
          MessageRequest: {
            Addresses: { [`+1555010000${n}`]: { ChannelType: "SMS" } },
            MessageConfiguration: { SMSMessage: { Body: `Code ${n}` } },
          },
        }),
      );
    }
  });
  afterAll(() => t.close());

  it("lists what the sandbox received, newest first, page by page, through the API", async () => {
    const first = await signedFetch(t.url, "GET", `/v1/apps/${appId}/sandbox/messages?page-size=2`);
    expect(first.status).toBe(200);
    const items = first.json.Item as Array<{ Address: string; Content: { body: string } }>;
    expect(items.map((m) => m.Content.body)).toEqual(["Code 3", "Code 2"]);
    const second = await signedFetch(
      t.url,
      "GET",
      `/v1/apps/${appId}/sandbox/messages?page-size=2&token=${first.json.NextToken}`,
    );
    expect((second.json.Item as Array<{ Address: string }>).map((m) => m.Address)).toEqual(["+15550100001"]);
  });

  it("lists it with `waymark outbox` too", async () => {
    const { stdout } = await run(process.execPath, [cliPath, "outbox", appId, "--limit", "2"], {
      env: { ...process.env, DATABASE_URL: t.database.url },
    });
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/SMS\s+\+15550100003\s+Code 3/);
  });
});
