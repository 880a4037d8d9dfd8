import {
  BadRequestException,
  CreateEmailTemplateCommand,
  CreateInAppTemplateCommand,
  CreatePushTemplateCommand,
  CreateSmsTemplateCommand,
  CreateVoiceTemplateCommand,
  DeleteEmailTemplateCommand,
  DeletePushTemplateCommand,
  DeleteSmsTemplateCommand,
  type EmailTemplateRequest,
  GetEmailTemplateCommand,
  GetInAppTemplateCommand,
  GetPushTemplateCommand,
  GetSmsTemplateCommand,
  GetVoiceTemplateCommand,
  type InAppTemplateRequest,
  ListTagsForResourceCommand,
  ListTemplatesCommand,
  ListTemplateVersionsCommand,
  NotFoundException,
  type PushNotificationTemplateRequest,
  type SMSTemplateRequest,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEmailTemplateCommand,
  UpdateSmsTemplateCommand,
  UpdateTemplateActiveVersionCommand,
  type VoiceTemplateRequest,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getActiveTemplate, renderTemplate } from "../src/templates/index.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

const arnOf = (name: string, type: string) =>
  `arn:aws:mobiletargeting:us-east-1:000000000000:templates/${name}/${type}`;

const emailRequest: EmailTemplateRequest = {
  Subject: "Hello {{User.UserAttributes.FirstName}}",
  HtmlPart: "<h1>Hi {{User.UserAttributes.FirstName}}</h1>",
  TextPart: "Hi {{User.UserAttributes.FirstName}}",
  Headers: [{ Name: "X-Campaign", Value: "{{Attributes.Campaign}}" }],
  DefaultSubstitutions: '{"User.UserAttributes.FirstName":"there"}',
  TemplateDescription: "Welcome mail",
  RecommenderId: "recommender-1",
  tags: { team: "growth" },
};

const smsRequest: SMSTemplateRequest = {
  Body: "Your code is {{Attributes.Code}}",
  DefaultSubstitutions: '{"Attributes.Code":"0000"}',
  TemplateDescription: "OTP",
  RecommenderId: "recommender-2",
  tags: { kind: "otp" },
};

const pushRequest: PushNotificationTemplateRequest = {
  ADM: {
    Action: "OPEN_APP",
    Body: "adm",
    ImageIconUrl: "https://i/a",
    ImageUrl: "https://i/b",
    RawContent: "{}",
    SmallImageIconUrl: "https://i/c",
    Sound: "ding",
    Title: "ADM",
    Url: "https://u/a",
  },
  APNS: {
    Action: "DEEP_LINK",
    Body: "apns",
    MediaUrl: "https://m/a",
    RawContent: '{"aps":{}}',
    Sound: "chime",
    Title: "APNS",
    Url: "app://x",
  },
  Baidu: {
    Action: "URL",
    Body: "baidu",
    ImageIconUrl: "https://i/d",
    ImageUrl: "https://i/e",
    RawContent: "{}",
    SmallImageIconUrl: "https://i/f",
    Sound: "s",
    Title: "Baidu",
    Url: "https://u/b",
  },
  Default: {
    Action: "OPEN_APP",
    Body: "Hi {{User.UserAttributes.FirstName}}",
    Sound: "default",
    Title: "Default",
    Url: "https://u/c",
  },
  GCM: {
    Action: "URL",
    Body: "gcm",
    ImageIconUrl: "https://i/g",
    ImageUrl: "https://i/h",
    RawContent: '{"data":{}}',
    SmallImageIconUrl: "https://i/i",
    Sound: "beep",
    Title: "GCM",
    Url: "https://u/d",
  },
  DefaultSubstitutions: '{"User.UserAttributes.FirstName":"friend"}',
  TemplateDescription: "Push everywhere",
  RecommenderId: "recommender-3",
  tags: { channel: "push" },
};

const voiceRequest: VoiceTemplateRequest = {
  Body: "<speak>Hello {{User.UserAttributes.FirstName}}</speak>",
  LanguageCode: "en-US",
  VoiceId: "Joanna",
  DefaultSubstitutions: '{"User.UserAttributes.FirstName":"caller"}',
  TemplateDescription: "Call",
  tags: { channel: "voice" },
};

const inAppRequest: InAppTemplateRequest = {
  Layout: "MIDDLE_BANNER",
  CustomConfig: { theme: "dark" },
  Content: [
    {
      BackgroundColor: "#ffffff",
      HeaderConfig: { Alignment: "CENTER", Header: "Sale", TextColor: "#000000" },
      BodyConfig: { Alignment: "LEFT", Body: "Everything half price", TextColor: "#333333" },
      ImageUrl: "https://img.example.com/sale.png",
      PrimaryBtn: {
        DefaultConfig: {
          ButtonAction: "LINK",
          Link: "https://shop.example.com",
          Text: "Shop",
          BackgroundColor: "#00ff00",
          BorderRadius: 4,
          TextColor: "#ffffff",
        },
        Android: { ButtonAction: "DEEP_LINK", Link: "shop://sale" },
      },
      SecondaryBtn: { DefaultConfig: { ButtonAction: "CLOSE", Text: "Later" } },
    },
  ],
  TemplateDescription: "Banner",
  tags: { channel: "inapp" },
};

/** The request's fields as a Get shows them back (tags included, content as given). */
function expectRoundTrip(response: object | undefined, request: object, name: string, type: string) {
  expect(response).toMatchObject({
    ...request,
    TemplateName: name,
    TemplateType: type,
    Version: "1",
    Arn: arnOf(name, type),
  });
  const { CreationDate, LastModifiedDate } = response as { CreationDate?: string; LastModifiedDate?: string };
  expect(Date.parse(CreationDate ?? "")).not.toBeNaN();
  expect(Date.parse(LastModifiedDate ?? "")).not.toBeNaN();
}

describe.each(databases)("templates on %s", (kind) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(kind);
  });
  afterAll(() => t.close());

  describe("each template type", () => {
    it("round-trips an email template with every field", async () => {
      const created = await t.client.send(
        new CreateEmailTemplateCommand({ TemplateName: "rt-email", EmailTemplateRequest: emailRequest }),
      );
      expect(created.CreateTemplateMessageBody).toMatchObject({ Arn: arnOf("rt-email", "EMAIL"), Message: "Created" });
      expect(created.CreateTemplateMessageBody?.RequestID).toBeTruthy();
      const read = await t.client.send(new GetEmailTemplateCommand({ TemplateName: "rt-email" }));
      expectRoundTrip(read.EmailTemplateResponse, emailRequest, "rt-email", "EMAIL");
    });

    it("round-trips an SMS template with every field", async () => {
      await t.client.send(new CreateSmsTemplateCommand({ TemplateName: "rt-sms", SMSTemplateRequest: smsRequest }));
      const read = await t.client.send(new GetSmsTemplateCommand({ TemplateName: "rt-sms" }));
      expectRoundTrip(read.SMSTemplateResponse, smsRequest, "rt-sms", "SMS");
    });

    it("round-trips a push template with every service's every field", async () => {
      await t.client.send(
        new CreatePushTemplateCommand({ TemplateName: "rt-push", PushNotificationTemplateRequest: pushRequest }),
      );
      const read = await t.client.send(new GetPushTemplateCommand({ TemplateName: "rt-push" }));
      expectRoundTrip(read.PushNotificationTemplateResponse, pushRequest, "rt-push", "PUSH");
    });

    it("round-trips a voice template with every field", async () => {
      await t.client.send(
        new CreateVoiceTemplateCommand({ TemplateName: "rt-voice", VoiceTemplateRequest: voiceRequest }),
      );
      const read = await t.client.send(new GetVoiceTemplateCommand({ TemplateName: "rt-voice" }));
      expectRoundTrip(read.VoiceTemplateResponse, voiceRequest, "rt-voice", "VOICE");
    });

    it("round-trips an in-app template with every field", async () => {
      const created = await t.client.send(
        new CreateInAppTemplateCommand({ TemplateName: "rt-inapp", InAppTemplateRequest: inAppRequest }),
      );
      expect(created.TemplateCreateMessageBody?.Arn).toBe(arnOf("rt-inapp", "INAPP"));
      const read = await t.client.send(new GetInAppTemplateCommand({ TemplateName: "rt-inapp" }));
      expectRoundTrip(read.InAppTemplateResponse, inAppRequest, "rt-inapp", "INAPP");
    });

    it("keeps templates of different types under one name apart", async () => {
      await t.client.send(
        new CreateSmsTemplateCommand({ TemplateName: "shared", SMSTemplateRequest: { Body: "sms" } }),
      );
      await t.client.send(
        new CreateVoiceTemplateCommand({ TemplateName: "shared", VoiceTemplateRequest: { Body: "voice" } }),
      );
      expect(
        (await t.client.send(new GetSmsTemplateCommand({ TemplateName: "shared" }))).SMSTemplateResponse?.Body,
      ).toBe("sms");
      expect(
        (await t.client.send(new GetVoiceTemplateCommand({ TemplateName: "shared" }))).VoiceTemplateResponse?.Body,
      ).toBe("voice");
    });
  });

  describe("creating", () => {
    it("refuses a name that is taken for the same type", async () => {
      await t.client.send(new CreateSmsTemplateCommand({ TemplateName: "taken", SMSTemplateRequest: { Body: "one" } }));
      await expect(
        t.client.send(new CreateSmsTemplateCommand({ TemplateName: "taken", SMSTemplateRequest: { Body: "two" } })),
      ).rejects.toBeInstanceOf(BadRequestException);
      const read = await t.client.send(new GetSmsTemplateCommand({ TemplateName: "taken" }));
      expect(read.SMSTemplateResponse?.Body).toBe("one");
    });

    it("refuses names Pinpoint does not allow", async () => {
      for (const name of ["-leading-hyphen", "has.dot", "x".repeat(129)]) {
        await expect(
          t.client.send(new CreateSmsTemplateCommand({ TemplateName: name, SMSTemplateRequest: { Body: "b" } })),
        ).rejects.toBeInstanceOf(BadRequestException);
      }
      await t.client.send(
        new CreateSmsTemplateCommand({ TemplateName: `A_${"x".repeat(126)}`, SMSTemplateRequest: { Body: "b" } }),
      );
    });

    it("refuses a template whose part does not compile, naming it, and stores nothing", async () => {
      const failure = await t.client
        .send(
          new CreateEmailTemplateCommand({
            TemplateName: "broken",
            EmailTemplateRequest: { Subject: "fine", HtmlPart: "<p>{{#if User.UserId}}x{{/each}}</p>" },
          }),
        )
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(BadRequestException);
      expect((failure as Error).message).toMatch(/^The template's HtmlPart does not compile: if doesn't match each/);
      await expect(t.client.send(new GetEmailTemplateCommand({ TemplateName: "broken" }))).rejects.toBeInstanceOf(
        NotFoundException,
      );
    });

    it("refuses DefaultSubstitutions that are not a JSON object and too many headers", async () => {
      await expect(
        t.client.send(
          new CreateSmsTemplateCommand({
            TemplateName: "bad-defaults",
            SMSTemplateRequest: { Body: "b", DefaultSubstitutions: "{x" },
          }),
        ),
      ).rejects.toThrow("DefaultSubstitutions is not valid JSON");
      const Headers = Array.from({ length: 16 }, (_, i) => ({ Name: `X-${i}`, Value: "v" }));
      await expect(
        t.client.send(
          new CreateEmailTemplateCommand({ TemplateName: "bad-headers", EmailTemplateRequest: { Headers } }),
        ),
      ).rejects.toThrow("at most 15 Headers");
    });
  });

  describe("versions", () => {
    const get = async (version?: string) =>
      (await t.client.send(new GetSmsTemplateCommand({ TemplateName: "versioned", Version: version })))
        .SMSTemplateResponse;
    const update = (Body: string, options: { CreateNewVersion?: boolean; Version?: string } = {}) =>
      t.client.send(
        new UpdateSmsTemplateCommand({ TemplateName: "versioned", SMSTemplateRequest: { Body }, ...options }),
      );
    const versions = async () =>
      (
        await t.client.send(new ListTemplateVersionsCommand({ TemplateName: "versioned", TemplateType: "SMS" }))
      ).TemplateVersionsResponse?.Item?.map((item) => item.Version);

    beforeAll(async () => {
      await t.client.send(
        new CreateSmsTemplateCommand({ TemplateName: "versioned", SMSTemplateRequest: { Body: "first draft" } }),
      );
    });

    it("overwrites the latest version when no new version is asked for", async () => {
      const answer = await update("first");
      expect(answer.MessageBody?.Message).toBe("Accepted");
      expect(await get()).toMatchObject({ Body: "first", Version: "1" });
      expect(await versions()).toEqual(["1"]);
    });

    it("creates a new version that is not active until made so", async () => {
      await update("second", { CreateNewVersion: true });
      expect(await get()).toMatchObject({ Body: "first", Version: "1" });
      expect(await get("2")).toMatchObject({ Body: "second", Version: "2" });
      expect(await versions()).toEqual(["1", "2"]);
    });

    it("overwrites a named version only if it is the latest", async () => {
      await expect(update("stale edit", { Version: "1" })).rejects.toThrow("Only the latest version (2)");
      await update("second, edited", { Version: "2" });
      expect((await get("2"))?.Body).toBe("second, edited");
      expect((await get("1"))?.Body).toBe("first");
    });

    it("refuses create-new-version together with a version", async () => {
      await expect(update("x", { CreateNewVersion: true, Version: "2" })).rejects.toBeInstanceOf(BadRequestException);
      expect(await versions()).toEqual(["1", "2"]);
    });

    it("keeps the stored version when an update does not compile", async () => {
      await expect(update("{{#each}}oops")).rejects.toThrow("The template's Body does not compile");
      expect((await get("2"))?.Body).toBe("second, edited");
      expect(await versions()).toEqual(["1", "2"]);
    });

    it("makes a version active, by number or as latest", async () => {
      await update("third", { CreateNewVersion: true });
      const answer = await t.client.send(
        new UpdateTemplateActiveVersionCommand({
          TemplateName: "versioned",
          TemplateType: "SMS",
          TemplateActiveVersionRequest: { Version: "2" },
        }),
      );
      expect(answer.MessageBody?.RequestID).toBeTruthy();
      expect(await get()).toMatchObject({ Body: "second, edited", Version: "2" });
      await t.client.send(
        new UpdateTemplateActiveVersionCommand({
          TemplateName: "versioned",
          TemplateType: "SMS",
          TemplateActiveVersionRequest: { Version: "latest" },
        }),
      );
      expect(await get()).toMatchObject({ Body: "third", Version: "3" });
    });

    it("refuses to make a missing version active", async () => {
      await expect(
        t.client.send(
          new UpdateTemplateActiveVersionCommand({
            TemplateName: "versioned",
            TemplateType: "SMS",
            TemplateActiveVersionRequest: { Version: "9" },
          }),
        ),
      ).rejects.toBeInstanceOf(NotFoundException);
      expect((await get())?.Version).toBe("3");
    });

    it("deletes one version, but not the active one", async () => {
      await expect(
        t.client.send(new DeleteSmsTemplateCommand({ TemplateName: "versioned", Version: "3" })),
      ).rejects.toThrow("active version");
      const answer = await t.client.send(new DeleteSmsTemplateCommand({ TemplateName: "versioned", Version: "1" }));
      expect(answer.MessageBody?.Message).toBe("Accepted");
      expect(await versions()).toEqual(["2", "3"]);
      await expect(get("1")).rejects.toBeInstanceOf(NotFoundException);
    });

    it("never reuses a deleted version's number", async () => {
      await update("fourth", { CreateNewVersion: true });
      await t.client.send(new DeleteSmsTemplateCommand({ TemplateName: "versioned", Version: "4" }));
      await update("fifth", { CreateNewVersion: true });
      expect(await versions()).toEqual(["2", "3", "5"]);
    });

    it("pages through versions", async () => {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await t.client.send(
          new ListTemplateVersionsCommand({
            TemplateName: "versioned",
            TemplateType: "SMS",
            PageSize: "2",
            NextToken: token,
          }),
        );
        const items = page.TemplateVersionsResponse?.Item ?? [];
        expect(items.length).toBeLessThanOrEqual(2);
        for (const item of items) {
          expect(item).toMatchObject({ TemplateName: "versioned", TemplateType: "SMS" });
          seen.push(item.Version ?? "");
        }
        token = page.TemplateVersionsResponse?.NextToken;
      } while (token);
      expect(seen).toEqual(["2", "3", "5"]);
    });

    it("deletes the whole template without a version", async () => {
      await t.client.send(new DeleteSmsTemplateCommand({ TemplateName: "versioned" }));
      await expect(get()).rejects.toBeInstanceOf(NotFoundException);
      await expect(versions()).rejects.toBeInstanceOf(NotFoundException);
    });
  });

  it("deletes a template with its last version", async () => {
    await t.client.send(
      new CreatePushTemplateCommand({
        TemplateName: "single",
        PushNotificationTemplateRequest: { Default: { Body: "b" } },
      }),
    );
    await t.client.send(new DeletePushTemplateCommand({ TemplateName: "single", Version: "1" }));
    await expect(t.client.send(new GetPushTemplateCommand({ TemplateName: "single" }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it("answers NotFoundException for an unknown template or version", async () => {
    await t.client.send(
      new CreateEmailTemplateCommand({ TemplateName: "known", EmailTemplateRequest: { Subject: "s" } }),
    );
    const attempts = [
      () => t.client.send(new GetEmailTemplateCommand({ TemplateName: "unknown" })),
      () => t.client.send(new GetEmailTemplateCommand({ TemplateName: "known", Version: "7" })),
      () =>
        t.client.send(
          new UpdateEmailTemplateCommand({ TemplateName: "unknown", EmailTemplateRequest: { Subject: "s" } }),
        ),
      () => t.client.send(new DeleteEmailTemplateCommand({ TemplateName: "unknown" })),
      () => t.client.send(new DeleteEmailTemplateCommand({ TemplateName: "known", Version: "7" })),
      () => t.client.send(new ListTemplateVersionsCommand({ TemplateName: "unknown", TemplateType: "EMAIL" })),
      () =>
        t.client.send(
          new UpdateTemplateActiveVersionCommand({
            TemplateName: "unknown",
            TemplateType: "EMAIL",
            TemplateActiveVersionRequest: { Version: "1" },
          }),
        ),
      () => t.client.send(new GetSmsTemplateCommand({ TemplateName: "known" })),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toBeInstanceOf(NotFoundException);
  });

  describe("listing", () => {
    beforeAll(async () => {
      for (const name of ["list-a", "list-b", "list-c"]) {
        await t.client.send(new CreateSmsTemplateCommand({ TemplateName: name, SMSTemplateRequest: { Body: name } }));
      }
      await t.client.send(
        new CreateEmailTemplateCommand({ TemplateName: "list-b", EmailTemplateRequest: { Subject: "b" } }),
      );
      await t.client.send(
        new CreateSmsTemplateCommand({ TemplateName: "listless", SMSTemplateRequest: { Body: "x" } }),
      );
      await t.client.send(
        new CreateSmsTemplateCommand({ TemplateName: "LIST-upper", SMSTemplateRequest: { Body: "x" } }),
      );
    });

    async function listAll(Prefix?: string, TemplateType?: string, PageSize?: string) {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await t.client.send(
          new ListTemplatesCommand({ Prefix, TemplateType, PageSize, NextToken: token }),
        );
        const items = page.TemplatesResponse?.Item ?? [];
        if (PageSize) expect(items.length).toBeLessThanOrEqual(Number(PageSize));
        seen.push(...items.map((item) => `${item.TemplateName}/${item.TemplateType}`));
        token = page.TemplatesResponse?.NextToken;
      } while (token);
      return seen;
    }

    it("pages through templates matching a case-sensitive prefix", async () => {
      expect(await listAll("list-", undefined, "2")).toEqual([
        "list-a/SMS",
        "list-b/EMAIL",
        "list-b/SMS",
        "list-c/SMS",
      ]);
    });

    it("filters by template type", async () => {
      expect(await listAll("list-", "EMAIL")).toEqual(["list-b/EMAIL"]);
      const everySms = await listAll(undefined, "SMS", "3");
      expect(everySms).toContain("listless/SMS");
      expect(everySms.every((entry) => entry.endsWith("/SMS"))).toBe(true);
    });

    it("shows the active version and dates, leaving out what Pinpoint leaves out", async () => {
      const page = await t.client.send(new ListTemplatesCommand({ Prefix: "list-a" }));
      const [item] = page.TemplatesResponse?.Item ?? [];
      expect(item).toMatchObject({ TemplateName: "list-a", TemplateType: "SMS", Version: "1" });
      expect(item.Arn).toBeUndefined();
      expect(item.tags).toBeUndefined();
      expect(Date.parse(item.CreationDate ?? "")).not.toBeNaN();
    });

    it("refuses an unknown template type", async () => {
      await expect(t.client.send(new ListTemplatesCommand({ TemplateType: "FAX" }))).rejects.toBeInstanceOf(
        BadRequestException,
      );
    });
  });

  it("tags a template through its ARN", async () => {
    await t.client.send(
      new CreateEmailTemplateCommand({
        TemplateName: "tagged",
        EmailTemplateRequest: { Subject: "s", tags: { a: "1" } },
      }),
    );
    const ResourceArn = arnOf("tagged", "EMAIL");
    await t.client.send(new TagResourceCommand({ ResourceArn, TagsModel: { tags: { b: "2" } } }));
    await t.client.send(new UntagResourceCommand({ ResourceArn, TagKeys: ["a"] }));
    const listed = await t.client.send(new ListTagsForResourceCommand({ ResourceArn }));
    expect(listed.TagsModel?.tags).toEqual({ b: "2" });
    const read = await t.client.send(new GetEmailTemplateCommand({ TemplateName: "tagged" }));
    expect(read.EmailTemplateResponse?.tags).toEqual({ b: "2" });
    await expect(
      t.client.send(new ListTagsForResourceCommand({ ResourceArn: arnOf("untagged-nothing", "EMAIL") })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it("gives sending the active version, rendered for a recipient", async () => {
    await t.client.send(
      new CreateEmailTemplateCommand({
        TemplateName: "for-sending",
        EmailTemplateRequest: {
          Subject: "v1 {{User.UserAttributes.FirstName}}",
          DefaultSubstitutions: '{"User.UserAttributes.FirstName":"there"}',
        },
      }),
    );
    await t.client.send(
      new UpdateEmailTemplateCommand({
        TemplateName: "for-sending",
        CreateNewVersion: true,
        EmailTemplateRequest: { Subject: "v2 {{User.UserAttributes.FirstName}}" },
      }),
    );
    const services = t.server.services;
    const active = await getActiveTemplate(services, "for-sending", "EMAIL");
    expect(active.Version).toBe("1");
    expect(renderTemplate(active, {}).Subject).toBe("v1 there");
    const named = await getActiveTemplate(services, "for-sending", "EMAIL", 2);
    const endpoint = { User: { UserAttributes: { FirstName: ["Ana"] } } };
    expect(renderTemplate(named, { endpoint }).Subject).toBe("v2 Ana");
    await expect(getActiveTemplate(services, "for-sending", "SMS")).rejects.toMatchObject({ statusCode: 404 });
  });
});
