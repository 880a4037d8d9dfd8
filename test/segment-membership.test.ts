import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  CreateAppCommand,
  CreateImportJobCommand,
  CreateSegmentCommand,
  type EndpointBatchItem,
  GetImportJobCommand,
  UpdateEndpointsBatchCommand,
  UpdateSegmentCommand,
  type WriteSegmentRequest,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { segmentEndpoints, segmentMembers } from "../src/segments/index.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

/** Six endpoints: gold and free plans, on email and SMS, in France and Germany. */
const fixtures: EndpointBatchItem[] = [
  {
    Id: "e1",
    ChannelType: "EMAIL",
    Address: "e1@example.com",
    Attributes: { Plan: ["gold"] },
    Location: { Country: "FR" },
  },
  {
    Id: "e2",
    ChannelType: "SMS",
    Address: "+33600000002",
    Attributes: { Plan: ["free"] },
    Location: { Country: "FR" },
  },
  {
    Id: "e3",
    ChannelType: "EMAIL",
    Address: "e3@example.com",
    Attributes: { Plan: ["gold"] },
    Location: { Country: "DE" },
  },
  {
    Id: "e4",
    ChannelType: "SMS",
    Address: "+49150000004",
    Attributes: { Plan: ["free"] },
    Location: { Country: "DE" },
  },
  { Id: "e5", ChannelType: "EMAIL", Address: "e5@example.com", Metrics: { orders: 9 }, Location: { Country: "FR" } },
  { Id: "e6", ChannelType: "EMAIL", Address: "e6@example.com", Attributes: { Plan: ["gold"] }, Metrics: { orders: 2 } },
];
const everyId = fixtures.map((endpoint) => endpoint.Id as string);
const sorted = (members: Set<string>) => [...members].sort();

describe.each(databases)("segment membership of a batch of endpoints (%s)", (kind) => {
  let t: TestServer;
  let appId = "";
  let files = "";
  const create = async (request: WriteSegmentRequest) =>
    (await t.client.send(new CreateSegmentCommand({ ApplicationId: appId, WriteSegmentRequest: request })))
      .SegmentResponse?.Id ?? "";

  beforeAll(async () => {
    t = await startTestServer(kind);
    files = mkdtempSync(join(tmpdir(), "waymark-membership-"));
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Membership" } }));
    appId = app.ApplicationResponse?.Id ?? "";
    await t.client.send(
      new UpdateEndpointsBatchCommand({ ApplicationId: appId, EndpointBatchRequest: { Item: fixtures } }),
    );
  });
  afterAll(async () => {
    await t.close();
    rmSync(files, { recursive: true, force: true });
  });

  it("names the endpoints of the batch that are in the segment, and no others", async () => {
    const gold = await create({ Name: "Gold", Dimensions: { Attributes: { Plan: { Values: ["gold"] } } } });
    const members = await segmentMembers(t.server.services, appId, { segmentId: gold }, ["e1", "e2", "e6", "nobody"]);
    expect(sorted(members)).toEqual(["e1", "e6"]);
    expect(sorted(await segmentMembers(t.server.services, appId, { segmentId: gold }, everyId))).toEqual([
      "e1",
      "e3",
      "e6",
    ]);
    expect((await segmentMembers(t.server.services, appId, { segmentId: gold }, [])).size).toBe(0);
  });

  it("reads the version asked for, and the current one without a version", async () => {
    const segment = await create({ Name: "France", Dimensions: { Location: { Country: { Values: ["FR"] } } } });
    await t.client.send(
      new UpdateSegmentCommand({
        ApplicationId: appId,
        SegmentId: segment,
        WriteSegmentRequest: { Dimensions: { Location: { Country: { Values: ["DE"] } } } },
      }),
    );
    const first = await segmentMembers(t.server.services, appId, { segmentId: segment, version: 1 }, everyId);
    const current = await segmentMembers(t.server.services, appId, { segmentId: segment }, everyId);
    expect(sorted(first)).toEqual(["e1", "e2", "e5"]);
    expect(sorted(current)).toEqual(["e3", "e4"]);
  });

  it("evaluates criteria given inline", async () => {
    const members = await segmentMembers(
      t.server.services,
      appId,
      {
        dimensions: {
          Demographic: { Channel: { Values: ["EMAIL"] } },
          Metrics: { orders: { ComparisonOperator: "GREATER_THAN", Value: 1 } },
        },
      },
      everyId,
    );
    expect(sorted(members)).toEqual(["e5", "e6"]);
  });

  it("evaluates a segment built on base segments", async () => {
    const gold = await create({ Name: "Gold base", Dimensions: { Attributes: { Plan: { Values: ["gold"] } } } });
    const goldInGermany = await create({
      Name: "Gold in Germany",
      SegmentGroups: {
        Groups: [{ SourceSegments: [{ Id: gold }], Dimensions: [{ Location: { Country: { Values: ["DE"] } } }] }],
      },
    });
    expect(sorted(await segmentMembers(t.server.services, appId, { segmentId: goldInGermany }, everyId))).toEqual([
      "e3",
    ]);
  });

  it("evaluates an imported segment by its imported endpoints", async () => {
    const csv = join(files, "imported.csv");
    writeFileSync(csv, "Id,ChannelType,Address\ne2,SMS,+33600000002\nnew,EMAIL,new@example.com\n");
    const job = await t.client.send(
      new CreateImportJobCommand({
        ApplicationId: appId,
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
          new GetImportJobCommand({ ApplicationId: appId, JobId: job.ImportJobResponse?.Id }),
        );
        expect(read.ImportJobResponse?.JobStatus).toBe("COMPLETED");
        segmentId = read.ImportJobResponse?.Definition?.SegmentId ?? "";
      },
      { timeout: 20_000, interval: 50 },
    );
    const members = await segmentMembers(t.server.services, appId, { segmentId }, [...everyId, "new"]);
    expect(sorted(members)).toEqual(["e2", "new"]);
  });

  it("answers for batches larger than one query takes", async () => {
    const gold = await create({ Name: "Gold, many ids", Dimensions: { Attributes: { Plan: { Values: ["gold"] } } } });
    const unknown = Array.from({ length: 25_000 }, (_, i) => `unknown-${i}`);
    const members = await segmentMembers(t.server.services, appId, { segmentId: gold }, ["e1", ...unknown, "e6"]);
    expect(sorted(members)).toEqual(["e1", "e6"]);
  });

  it("refuses a segment that does not exist with Pinpoint's not-found error", async () => {
    await expect(segmentMembers(t.server.services, appId, { segmentId: "missing" }, ["e1"])).rejects.toMatchObject({
      statusCode: 404,
      message: "Segment not found: missing",
    });
  });

  it("resumes a segment's pages after an endpoint id", async () => {
    const gold = await create({ Name: "Gold, resumed", Dimensions: { Attributes: { Plan: { Values: ["gold"] } } } });
    const pages: string[][] = [];
    for await (const page of segmentEndpoints(t.server.services, appId, gold, { after: "e1", pageSize: 1 })) {
      pages.push(page.map((endpoint) => endpoint.Id));
    }
    expect(pages).toEqual([["e3"], ["e6"]]);
  });
});
