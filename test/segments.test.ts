import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  BadRequestException,
  CreateAppCommand,
  CreateImportJobCommand,
  CreateSegmentCommand,
  DeleteEndpointCommand,
  DeleteSegmentCommand,
  type EndpointBatchItem,
  GetImportJobCommand,
  GetSegmentCommand,
  GetSegmentsCommand,
  GetSegmentVersionCommand,
  GetSegmentVersionsCommand,
  ListTagsForResourceCommand,
  NotFoundException,
  RemoveAttributesCommand,
  type SegmentDimensions,
  type SegmentGroupList,
  type SegmentResponse,
  UpdateEndpointCommand,
  UpdateEndpointsBatchCommand,
  UpdateSegmentCommand,
  type WriteSegmentRequest,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { segmentEndpoints } from "../src/segments/index.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";
import { signedFetch } from "./support/signed-fetch.js";

/** The built `waymark` command (`npm test` builds dist first), run as its own process. */
const cli = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString();

/** Six endpoints; each criterion below picks a different set of them. */
const fixtures = (): EndpointBatchItem[] => [
  {
    Id: "ada",
    ChannelType: "EMAIL",
    Address: "ada@example.com",
    Attributes: { Plan: ["gold"], Interests: ["engines", "poetry"], Joined: ["2026-01-10T08:00:00Z"] },
    User: { UserId: "ada", UserAttributes: { Tier: ["vip"] } },
    Metrics: { orders: 7 },
    Demographic: { Platform: "iOS", Make: "Apple", AppVersion: "3.0" },
    Location: { Country: "GB", City: "London", Latitude: 51.5074, Longitude: -0.1278 },
    EffectiveDate: hoursAgo(2),
  },
  {
    Id: "grace",
    ChannelType: "SMS",
    Address: "+447700900001",
    Attributes: { Plan: ["free"], Interests: ["ships"], Joined: ["2026-04-01T00:00:00Z"] },
    Metrics: { orders: 1 },
    Demographic: { Platform: "Android", Make: "Google", AppVersion: "2.9" },
    Location: { Country: "US", City: "Arlington", Latitude: 38.8816, Longitude: -77.091 },
    EffectiveDate: hoursAgo(24 * 10),
  },
  {
    Id: "hedy",
    ChannelType: "EMAIL",
    Address: "hedy@example.com",
    Attributes: { Plan: ["gold"] },
    Demographic: { Platform: "iOS" },
    Location: { Country: "AT", City: "Vienna", Latitude: 48.2082, Longitude: 16.3738 },
    EffectiveDate: hoursAgo(24 * 40),
  },
  {
    Id: "katherine",
    ChannelType: "EMAIL",
    Address: "katherine@example.com",
    Attributes: { Plan: ["platinum"] },
    Metrics: { orders: 12 },
    Location: { Country: "US", City: "Hampton", Latitude: 37.0299, Longitude: -76.3452 },
    EffectiveDate: hoursAgo(30),
  },
  { Id: "margaret", ChannelType: "EMAIL", Address: "margaret@example.com", EffectiveDate: hoursAgo(1) },
  {
    Id: "mary",
    ChannelType: "APNS",
    Address: "token-mary",
    Demographic: { Platform: "iOS" },
    EffectiveDate: hoursAgo(3),
  },
];

const dimensionCases: Array<[string, SegmentDimensions, string[]]> = [
  ["Attributes", { Attributes: { Plan: { AttributeType: "INCLUSIVE", Values: ["gold"] } } }, ["ada", "hedy"]],
  [
    "Attributes with dates",
    { Attributes: { Joined: { AttributeType: "AFTER", Values: ["2026-02-01T00:00:00Z"] } } },
    ["grace"],
  ],
  [
    "UserAttributes",
    { UserAttributes: { Tier: { AttributeType: "EXCLUSIVE", Values: ["vip"] } } },
    ["grace", "hedy", "katherine", "margaret", "mary"],
  ],
  ["Metrics", { Metrics: { orders: { ComparisonOperator: "GREATER_THAN_OR_EQUAL", Value: 7 } } }, ["ada", "katherine"]],
  [
    "Demographic",
    { Demographic: { Platform: { DimensionType: "INCLUSIVE", Values: ["iOS"] } } },
    ["ada", "hedy", "mary"],
  ],
  ["Demographic channel", { Demographic: { Channel: { Values: ["SMS", "APNS"] } } }, ["grace", "mary"]],
  [
    "Location country",
    { Location: { Country: { DimensionType: "EXCLUSIVE", Values: ["US"] } } },
    ["ada", "hedy", "margaret", "mary"],
  ],
  [
    "Location GPS point",
    { Location: { GPSPoint: { Coordinates: { Latitude: 38.9072, Longitude: -77.0369 }, RangeInKilometers: 300 } } },
    ["grace", "katherine"],
  ],
  [
    "Behavior recency",
    { Behavior: { Recency: { Duration: "HR_24", RecencyType: "ACTIVE" } } },
    ["ada", "margaret", "mary"],
  ],
];

describe.each(databases)("segments on %s", (kind) => {
  let t: TestServer;
  let appId: string;
  let files: string;

  const create = async (request: WriteSegmentRequest, app = appId) =>
    (await t.client.send(new CreateSegmentCommand({ ApplicationId: app, WriteSegmentRequest: request })))
      .SegmentResponse as SegmentResponse;
  const members = async (segmentId: string, app = appId) => {
    const ids: string[] = [];
    for await (const page of segmentEndpoints(t.server.services, app, segmentId)) {
      ids.push(...page.map((endpoint) => endpoint.Id));
    }
    return ids.sort();
  };
  const size = (segmentId: string, query = "", app = appId) =>
    signedFetch(t.url, "GET", `/v1/apps/${app}/segments/${segmentId}/size${query}`);

  beforeAll(async () => {
    t = await startTestServer(kind);
    files = mkdtempSync(join(tmpdir(), "waymark-segments-"));
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Segments" } }));
    appId = app.ApplicationResponse?.Id ?? "";
    await t.client.send(
      new UpdateEndpointsBatchCommand({ ApplicationId: appId, EndpointBatchRequest: { Item: fixtures() } }),
    );
  });
  afterAll(async () => {
    await t.close();
    rmSync(files, { recursive: true, force: true });
  });

  it("creates a segment and reads it back with its ARN, version, criteria and tags", async () => {
    const created = await create({
      Name: "Gold",
      Dimensions: { Attributes: { Plan: { AttributeType: "INCLUSIVE", Values: ["gold"] } } },
      tags: { team: "growth" },
    });
    expect(created).toMatchObject({
      ApplicationId: appId,
      Name: "Gold",
      SegmentType: "DIMENSIONAL",
      Version: 1,
      Arn: `arn:aws:mobiletargeting:us-east-1:000000000000:apps/${appId}/segments/${created.Id}`,
      Dimensions: { Attributes: { Plan: { AttributeType: "INCLUSIVE", Values: ["gold"] } } },
      tags: { team: "growth" },
    });
    expect(created.CreationDate).toBe(created.LastModifiedDate);
    const read = await t.client.send(new GetSegmentCommand({ ApplicationId: appId, SegmentId: created.Id }));
    expect(read.SegmentResponse).toEqual(created);
    const listed = await t.client.send(new GetSegmentsCommand({ ApplicationId: appId, PageSize: "1000" }));
    expect(listed.SegmentsResponse?.Item?.map((s) => s.Id)).toContain(created.Id);
    const tags = await t.client.send(new ListTagsForResourceCommand({ ResourceArn: created.Arn }));
    expect(tags.TagsModel?.tags).toEqual({ team: "growth" });
  });

  it("makes a new version on each update and keeps the earlier ones readable", async () => {
    const created = await create({ Name: "Versions", Dimensions: { Demographic: { Platform: { Values: ["iOS"] } } } });
    const segmentId = created.Id ?? "";
    await t.client.send(
      new UpdateSegmentCommand({
        ApplicationId: appId,
        SegmentId: segmentId,
        WriteSegmentRequest: { Name: "Versions", Dimensions: { Demographic: { Platform: { Values: ["Android"] } } } },
      }),
    );
    const renamed = await t.client.send(
      new UpdateSegmentCommand({
        ApplicationId: appId,
        SegmentId: segmentId,
        WriteSegmentRequest: { Name: "Renamed" },
      }),
    );
    expect(renamed.SegmentResponse).toMatchObject({
      Version: 3,
      Name: "Renamed",
      CreationDate: created.CreationDate,
      Dimensions: { Demographic: { Platform: { Values: ["Android"] } } },
    });
    const first = await t.client.send(
      new GetSegmentVersionCommand({ ApplicationId: appId, SegmentId: segmentId, Version: "1" }),
    );
    expect(first.SegmentResponse).toEqual(created);
    expect(await members(segmentId)).toEqual(["grace"]);
    expect((await size(segmentId, "?version=1")).json).toEqual({
      ApplicationId: appId,
      SegmentId: segmentId,
      Version: 1,
      Size: 3,
    });

    const versions: number[] = [];
    let token: string | undefined;
    do {
      const page = await t.client.send(
        new GetSegmentVersionsCommand({ ApplicationId: appId, SegmentId: segmentId, PageSize: "2", Token: token }),
      );
      versions.push(...(page.SegmentsResponse?.Item ?? []).map((segment) => segment.Version ?? 0));
      token = page.SegmentsResponse?.NextToken;
    } while (token);
    expect(versions).toEqual([1, 2, 3]);
  });

  it("answers NotFoundException for an unknown segment or version", async () => {
    await expect(
      t.client.send(new GetSegmentCommand({ ApplicationId: appId, SegmentId: "missing" })),
    ).rejects.toBeInstanceOf(NotFoundException);
    const created = await create({ Name: "One version" });
    await expect(
      t.client.send(new GetSegmentVersionCommand({ ApplicationId: appId, SegmentId: created.Id, Version: "2" })),
    ).rejects.toBeInstanceOf(NotFoundException);
    expect((await size("missing")).status).toBe(404);
  });

  it.each(dimensionCases)("selects exactly the endpoints %s pick", async (_, dimensions, expected) => {
    const segment = await create({ Name: "By dimension", Dimensions: dimensions });
    expect(await members(segment.Id ?? "")).toEqual(expected);
    expect((await size(segment.Id ?? "")).json.Size).toBe(expected.length);
  });

  it("combines base segments and dimensions in segment groups with ALL, ANY and NONE", async () => {
    const gold = await create({ Name: "Gold", Dimensions: { Attributes: { Plan: { Values: ["gold"] } } } });
    const us = await create({ Name: "US", Dimensions: { Location: { Country: { Values: ["US"] } } } });
    const group = async (groups: SegmentGroupList) =>
      members((await create({ Name: "Group", SegmentGroups: groups })).Id ?? "");
    const bases = [{ Id: gold.Id }, { Id: us.Id }];
    expect(await group({ Groups: [{ SourceSegments: bases, SourceType: "ANY" }] })).toEqual([
      "ada",
      "grace",
      "hedy",
      "katherine",
    ]);
    expect(await group({ Groups: [{ SourceSegments: bases, SourceType: "ALL" }] })).toEqual([]);
    const ios = { Demographic: { Platform: { Values: ["iOS"] } } };
    const active = { Behavior: { Recency: { Duration: "DAY_7" as const, RecencyType: "ACTIVE" as const } } };
    expect(
      await group({ Groups: [{ SourceSegments: [{ Id: gold.Id }], Dimensions: [ios, active], Type: "ALL" }] }),
    ).toEqual(["ada"]);
    expect(await group({ Groups: [{ Dimensions: [ios, active], Type: "ANY" }] })).toEqual([
      "ada",
      "hedy",
      "katherine",
      "margaret",
      "mary",
    ]);
    expect(await group({ Groups: [{ Dimensions: [ios, active], Type: "NONE" }] })).toEqual(["grace"]);
    expect(
      await group({
        Include: "NONE",
        Groups: [{ SourceSegments: [{ Id: gold.Id }] }, { SourceSegments: [{ Id: us.Id }] }],
      }),
    ).toEqual(["margaret", "mary"]);
  });

  it("follows a base segment pinned to a version, not its later criteria", async () => {
    const base = await create({ Name: "Base", Dimensions: { Attributes: { Plan: { Values: ["gold"] } } } });
    await t.client.send(
      new UpdateSegmentCommand({
        ApplicationId: appId,
        SegmentId: base.Id,
        WriteSegmentRequest: { Dimensions: { Attributes: { Plan: { Values: ["platinum"] } } } },
      }),
    );
    const pinned = await create({
      Name: "Pinned",
      SegmentGroups: { Groups: [{ SourceSegments: [{ Id: base.Id, Version: 1 }] }] },
    });
    const latest = await create({ Name: "Latest", SegmentGroups: { Groups: [{ SourceSegments: [{ Id: base.Id }] }] } });
    expect(await members(pinned.Id ?? "")).toEqual(["ada", "hedy"]);
    expect(await members(latest.Id ?? "")).toEqual(["katherine"]);
  });

  it("holds an imported segment's members and filters them as a base segment", async () => {
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Imported" } }));
    const importApp = app.ApplicationResponse?.Id ?? "";
    await t.client.send(
      new UpdateEndpointsBatchCommand({
        ApplicationId: importApp,
        EndpointBatchRequest: { Item: [{ Id: "outsider", ChannelType: "SMS", Address: "+447700900009" }] },
      }),
    );
    const csv = join(files, "imported.csv");
    writeFileSync(csv, "Id,ChannelType,Address\nlinus,EMAIL,linus@example.com\nbarbara,SMS,+447700900002\n");
    const job = await t.client.send(
      new CreateImportJobCommand({
        ApplicationId: importApp,
        ImportJobRequest: {
          Format: "CSV",
          S3Url: pathToFileURL(csv).href,
          RoleArn: "arn:aws:iam::000000000000:role/import",
          RegisterEndpoints: true,
          DefineSegment: true,
          SegmentName: "Imported",
        },
      }),
    );
    let segmentId = "";
    await vi.waitFor(
      async () => {
        const read = await t.client.send(
          new GetImportJobCommand({ ApplicationId: importApp, JobId: job.ImportJobResponse?.Id }),
        );
        expect(read.ImportJobResponse?.JobStatus).toBe("COMPLETED");
        segmentId = read.ImportJobResponse?.Definition?.SegmentId ?? "";
      },
      { timeout: 20_000, interval: 50 },
    );
    const imported = await t.client.send(new GetSegmentCommand({ ApplicationId: importApp, SegmentId: segmentId }));
    expect(imported.SegmentResponse).toMatchObject({ SegmentType: "IMPORT", Name: "Imported", Version: 1 });
    expect(await members(segmentId, importApp)).toEqual(["barbara", "linus"]);
    expect((await size(segmentId, "", importApp)).json.Size).toBe(2);
    const sms = await create(
      {
        Name: "Imported on SMS",
        SegmentGroups: {
          Groups: [
            { SourceSegments: [{ Id: segmentId }], Dimensions: [{ Demographic: { Channel: { Values: ["SMS"] } } }] },
          ],
        },
      },
      importApp,
    );
    expect(await members(sms.Id ?? "", importApp)).toEqual(["barbara"]);
    await expect(
      create(
        { Name: "Mixed", SegmentGroups: { Groups: [{ SourceSegments: [{ Id: segmentId }, { Id: sms.Id }] }] } },
        importApp,
      ),
    ).rejects.toThrow(/single imported segment/);
    await expect(
      t.client.send(
        new UpdateSegmentCommand({
          ApplicationId: importApp,
          SegmentId: segmentId,
          WriteSegmentRequest: { Dimensions: { Demographic: { Platform: { Values: ["iOS"] } } } },
        }),
      ),
    ).rejects.toBeInstanceOf(BadRequestException);
  });

  it("answers the size extension for a signed request, as {ApplicationId, SegmentId, Version, Size}", async () => {
    const segment = await create({ Name: "Sized", Dimensions: { Demographic: { Channel: { Values: ["EMAIL"] } } } });
    const answer = await size(segment.Id ?? "");
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ ApplicationId: appId, SegmentId: segment.Id, Version: 1, Size: 4 });
    expect((await size(segment.Id ?? "", "?version=0")).status).toBe(400);
    const unsigned = await fetch(`${t.url}/v1/apps/${appId}/segments/${segment.Id}/size`);
    expect(unsigned.status).toBe(403);
  });

  it("counts a segment from the command line: waymark segments size", async () => {
    const segment = await create({ Name: "CLI", Dimensions: { Demographic: { Platform: { Values: ["iOS"] } } } });
    const run = (...args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [cli, "segments", "size", appId, ...args],
          { cwd: files, env: { PATH: process.env.PATH, DATABASE_URL: t.database.url } },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
      });
    const counted = await run(segment.Id ?? "", "--json");
    expect(JSON.parse(counted.stdout)).toEqual({ ApplicationId: appId, SegmentId: segment.Id, Version: 1, Size: 3 });
    expect((await run(segment.Id ?? "")).stdout).toBe(`3 endpoints in segment ${segment.Id} (version 1)\n`);
    const missing = await run("missing");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Segment not found: missing/);
  });

  it("streams a segment's endpoints in pages by id, over more than one page", async () => {
    const everyone = await create({ Name: "Everyone" });
    const pages: string[][] = [];
    for await (const page of segmentEndpoints(t.server.services, appId, everyone.Id ?? "", { pageSize: 4 })) {
      pages.push(page.map((endpoint) => endpoint.Id));
    }
    expect(pages.map((page) => page.length)).toEqual([4, 2]);
    expect(pages.flat()).toEqual(["ada", "grace", "hedy", "katherine", "margaret", "mary"]);
  });

  it("follows endpoint changes: updates, removed attributes and deleted endpoints", async () => {
    const segment = await create({ Name: "Platinum", Dimensions: { Attributes: { Plan: { Values: ["platinum"] } } } });
    await t.client.send(
      new UpdateEndpointCommand({
        ApplicationId: appId,
        EndpointId: "upgraded",
        EndpointRequest: { ChannelType: "EMAIL", Address: "up@example.com", Attributes: { Plan: ["platinum"] } },
      }),
    );
    expect(await members(segment.Id ?? "")).toEqual(["katherine", "upgraded"]);
    await t.client.send(new DeleteEndpointCommand({ ApplicationId: appId, EndpointId: "upgraded" }));
    expect(await members(segment.Id ?? "")).toEqual(["katherine"]);
    const bySignup = await create({
      Name: "Joined",
      Dimensions: { Attributes: { Joined: { AttributeType: "BEFORE", Values: ["2030-01-01T00:00:00Z"] } } },
    });
    expect(await members(bySignup.Id ?? "")).toEqual(["ada", "grace"]);
    await t.client.send(
      new RemoveAttributesCommand({
        ApplicationId: appId,
        AttributeType: "endpoint-custom-attributes",
        UpdateAttributesRequest: { Blacklist: ["Join*"] },
      }),
    );
    expect(await members(bySignup.Id ?? "")).toEqual([]);
  });

  it("refuses bad definitions with a clear 400 and stores nothing", async () => {
    const before = (await t.client.send(new GetSegmentsCommand({ ApplicationId: appId, PageSize: "1000" })))
      .SegmentsResponse?.Item?.length;
    const refusals: Array<[WriteSegmentRequest, RegExp]> = [
      [
        { Dimensions: { Attributes: { Plan: { AttributeType: "SIMILAR" as "INCLUSIVE", Values: ["x"] } } } },
        /AttributeType must be one of/,
      ],
      [{ Dimensions: { Attributes: { Plan: { Values: [] } } } }, /at least one value/],
      [
        { Dimensions: { Attributes: { Joined: { AttributeType: "BETWEEN", Values: ["2026-01-01T00:00:00Z"] } } } },
        /two dates/,
      ],
      [{ Dimensions: { Attributes: { Joined: { AttributeType: "AFTER", Values: ["yesterday"] } } } }, /ISO-8601/],
      [{ Dimensions: { Metrics: { orders: { ComparisonOperator: "ABOUT", Value: 1 } } } }, /ComparisonOperator/],
      [
        { Dimensions: { Demographic: { Platform: { DimensionType: "MAYBE" as "INCLUSIVE", Values: ["iOS"] } } } },
        /DimensionType/,
      ],
      [
        {
          Dimensions: { Location: { GPSPoint: { Coordinates: { Latitude: 91, Longitude: 0 }, RangeInKilometers: 5 } } },
        },
        /Latitude/,
      ],
      [{ Dimensions: { Location: { GPSPoint: { Coordinates: { Latitude: 1, Longitude: 0 } } } } }, /RangeInKilometers/],
      [
        { Dimensions: { Behavior: { Recency: { Duration: "DAY_90" as "DAY_30", RecencyType: "ACTIVE" } } } },
        /Duration/,
      ],
      [{ Dimensions: {}, SegmentGroups: { Groups: [] } }, /not both/],
      [{ SegmentGroups: { Include: "SOME" as "ALL", Groups: [] } }, /Include/],
      [{ SegmentGroups: { Groups: [{ SourceSegments: [{ Id: "nope" }] }] } }, /Base segment nope not found/],
      [
        { Dimensions: { Attributes: { Plan: { Values: Array.from({ length: 101 }, (_, i) => `v${i}`) } } } },
        /at most 100 values/,
      ],
      [{ Dimensions: { Attributes: { Plan: { Values: ["x".repeat(101)] } } } }, /longer than 100/],
    ];
    for (const [request, message] of refusals) {
      const refused = create({ Name: "Bad", ...request });
      await expect(refused).rejects.toBeInstanceOf(BadRequestException);
      await expect(refused).rejects.toThrow(message);
    }
    const after = (await t.client.send(new GetSegmentsCommand({ ApplicationId: appId, PageSize: "1000" })))
      .SegmentsResponse?.Item?.length;
    expect(after).toBe(before);
  });

  it("refuses a segment built on itself, and deleting a segment another builds on", async () => {
    const base = await create({ Name: "Base", Dimensions: { Demographic: { Platform: { Values: ["iOS"] } } } });
    const child = await create({ Name: "Child", SegmentGroups: { Groups: [{ SourceSegments: [{ Id: base.Id }] }] } });
    await expect(
      t.client.send(
        new UpdateSegmentCommand({
          ApplicationId: appId,
          SegmentId: base.Id,
          WriteSegmentRequest: { SegmentGroups: { Groups: [{ SourceSegments: [{ Id: child.Id }] }] } },
        }),
      ),
    ).rejects.toThrow(/builds on itself/);
    await expect(t.client.send(new DeleteSegmentCommand({ ApplicationId: appId, SegmentId: base.Id }))).rejects.toThrow(
      /base segment of/,
    );
    const deleted = await t.client.send(new DeleteSegmentCommand({ ApplicationId: appId, SegmentId: child.Id }));
    expect(deleted.SegmentResponse?.Id).toBe(child.Id);
    await t.client.send(new DeleteSegmentCommand({ ApplicationId: appId, SegmentId: base.Id }));
    await expect(
      t.client.send(new GetSegmentCommand({ ApplicationId: appId, SegmentId: base.Id })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });
});
