import {
  BadRequestException,
  CreateAppCommand,
  DeleteAppCommand,
  GetAppCommand,
  GetApplicationSettingsCommand,
  GetAppsCommand,
  ListTagsForResourceCommand,
  NotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApplicationSettingsCommand,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databases, startTestServer, type TestServer } from "./support/server.js";

describe.each(databases)("apps on %s", (kind) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(kind);
  });
  afterAll(() => t.close());

  it("creates an app and reads it back with its ARN and tags", async () => {
    const created = await t.client.send(
      new CreateAppCommand({ CreateApplicationRequest: { Name: "Shop", tags: { team: "growth" } } }),
    );
    const app = created.ApplicationResponse;
    expect(app?.Id).toMatch(/^[0-9a-f]{32}$/);
    expect(app?.Arn).toBe(`arn:aws:mobiletargeting:us-east-1:000000000000:apps/${app?.Id}`);
    const read = await t.client.send(new GetAppCommand({ ApplicationId: app?.Id }));
    expect(read.ApplicationResponse).toEqual(app);
  });

  it("pages through apps with page-size and token", async () => {
    for (const name of ["a", "b", "c"]) {
      await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: `page-${name}` } }));
    }
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await t.client.send(new GetAppsCommand({ PageSize: "2", Token: token }));
      expect(page.ApplicationsResponse?.Item?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.ApplicationsResponse?.Item ?? []).map((a) => a.Name ?? ""));
      token = page.ApplicationsResponse?.NextToken;
    } while (token);
    expect(seen.filter((n) => n.startsWith("page-"))).toEqual(["page-a", "page-b", "page-c"]);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("answers NotFoundException for an unknown app", async () => {
    await expect(t.client.send(new GetAppCommand({ ApplicationId: "missing" }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it("updates settings section by section and keeps the rest", async () => {
    const { ApplicationResponse: app } = await t.client.send(
      new CreateAppCommand({ CreateApplicationRequest: { Name: "Settings" } }),
    );
    const id = app?.Id;
    await t.client.send(
      new UpdateApplicationSettingsCommand({
        ApplicationId: id,
        WriteApplicationSettingsRequest: {
          Limits: { Daily: 3, MessagesPerSecond: 100 },
          QuietTime: { Start: "22:00", End: "07:00" },
          CampaignHook: { Mode: "FILTER", WebUrl: "https://hooks.example.com/filter" },
          CloudWatchMetricsEnabled: true,
        },
      }),
    );
    await t.client.send(
      new UpdateApplicationSettingsCommand({
        ApplicationId: id,
        WriteApplicationSettingsRequest: { Limits: { Daily: 5 } },
      }),
    );
    const settings = (await t.client.send(new GetApplicationSettingsCommand({ ApplicationId: id })))
      .ApplicationSettingsResource;
    expect(settings?.Limits).toEqual({ Daily: 5 });
    expect(settings?.QuietTime).toEqual({ Start: "22:00", End: "07:00" });
    expect(settings?.CampaignHook?.Mode).toBe("FILTER");
    expect(settings?.LastModifiedDate).toBeTruthy();
  });

  it("refuses bad settings and changes nothing", async () => {
    const { ApplicationResponse: app } = await t.client.send(
      new CreateAppCommand({ CreateApplicationRequest: { Name: "Bad settings" } }),
    );
    await expect(
      t.client.send(
        new UpdateApplicationSettingsCommand({
          ApplicationId: app?.Id,
          WriteApplicationSettingsRequest: { QuietTime: { Start: "25:00", End: "07:00" } },
        }),
      ),
    ).rejects.toBeInstanceOf(BadRequestException);
    const settings = await t.client.send(new GetApplicationSettingsCommand({ ApplicationId: app?.Id }));
    expect(settings.ApplicationSettingsResource?.QuietTime).toEqual({});
  });

  it("tags, lists and untags an app by its URL-encoded ARN", async () => {
    const { ApplicationResponse: app } = await t.client.send(
      new CreateAppCommand({ CreateApplicationRequest: { Name: "Tagged" } }),
    );
    const arn = app?.Arn;
    await t.client.send(new TagResourceCommand({ ResourceArn: arn, TagsModel: { tags: { a: "1", b: "2" } } }));
    await t.client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["a"] }));
    const listed = await t.client.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
    expect(listed.TagsModel?.tags).toEqual({ b: "2" });
  });

  it("deletes an app and answers what it deleted", async () => {
    const { ApplicationResponse: app } = await t.client.send(
      new CreateAppCommand({ CreateApplicationRequest: { Name: "Doomed" } }),
    );
    const deleted = await t.client.send(new DeleteAppCommand({ ApplicationId: app?.Id }));
    expect(deleted.ApplicationResponse?.Name).toBe("Doomed");
    await expect(t.client.send(new GetAppCommand({ ApplicationId: app?.Id }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });
});
