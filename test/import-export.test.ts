import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import {
  BadRequestException,
  CreateAppCommand,
  CreateExportJobCommand,
  CreateImportJobCommand,
  type EndpointResponse,
  GetEndpointCommand,
  GetExportJobCommand,
  GetImportJobCommand,
  GetImportJobsCommand,
  GetSegmentImportJobsCommand,
  type ImportJobRequest,
  type ImportJobResponse,
  NotFoundException,
  UpdateEndpointsBatchCommand,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { importJobTask } from "../src/import-export/index.js";
import { insertTransferJob } from "../src/import-export/transfer-jobs.js";
import { fromJson } from "../src/store/index.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

const roleArn = "arn:aws:iam::000000000000:role/waymark-import";
const untilDone = { timeout: 20_000, interval: 50 };

describe.each(databases)("import and export jobs on %s", (kind) => {
  let t: TestServer;
  let files: string;
  let puts: Server;
  const received = new Map<string, Buffer>();

  /** A folder of import files; `s3://waymark-imports/...` maps to it. */
  const write = (name: string, text: string) => {
    const path = join(files, name);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, text);
    return pathToFileURL(path).href;
  };
  const createApp = async () =>
    (await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Imports" } }))).ApplicationResponse
      ?.Id ?? "";
  const startImport = async (appId: string, request: Partial<ImportJobRequest>) =>
    (
      await t.client.send(
        new CreateImportJobCommand({
          ApplicationId: appId,
          ImportJobRequest: { Format: "CSV", RoleArn: roleArn, RegisterEndpoints: true, S3Url: "", ...request },
        }),
      )
    ).ImportJobResponse as ImportJobResponse;
  const importJob = async (appId: string, jobId: string) =>
    (await t.client.send(new GetImportJobCommand({ ApplicationId: appId, JobId: jobId }))).ImportJobResponse;
  const finished = async (appId: string, jobId: string) => {
    let job: ImportJobResponse | undefined;
    await vi.waitFor(async () => {
      job = await importJob(appId, jobId);
      expect(job?.JobStatus).toMatch(/^(COMPLETED|FAILED)$/);
    }, untilDone);
    return job as ImportJobResponse;
  };
  const runImport = async (appId: string, request: Partial<ImportJobRequest>) =>
    finished(appId, (await startImport(appId, request)).Id ?? "");
  const endpoint = async (appId: string, id: string) =>
    (await t.client.send(new GetEndpointCommand({ ApplicationId: appId, EndpointId: id }))).EndpointResponse;
  const segmentMembers = async (appId: string, segmentId: string) =>
    (
      await t.server.services.store.db
        .selectFrom("segment_members")
        .select("endpoint_id")
        .where("app_id", "=", appId)
        .where("segment_id", "=", segmentId)
        .orderBy("endpoint_id")
        .execute()
    ).map((row) => row.endpoint_id);

  beforeAll(async () => {
    files = mkdtempSync(join(tmpdir(), "waymark-import-"));
    puts = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.set(request.url ?? "", Buffer.concat(chunks));
        response.writeHead(request.method === "PUT" ? 200 : 405).end();
      });
    });
    await new Promise<void>((resolve) => puts.listen(0, "127.0.0.1", resolve));
    const port = (puts.address() as { port: number }).port;
    t = await startTestServer(kind, {
      s3: {
        "s3://waymark-imports": pathToFileURL(files).href,
        "s3://waymark-exports/http": `http://127.0.0.1:${port}/bucket`,
      },
    });
  });
  afterAll(async () => {
    await t.close();
    puts.close();
    rmSync(files, { recursive: true, force: true });
  });

  it("imports the good rows of a CSV with quoted fields and multi-valued attributes and reports each bad row", async () => {
    const appId = await createApp();
    await t.client.send(
      new UpdateEndpointsBatchCommand({
        ApplicationId: appId,
        EndpointBatchRequest: { Item: [{ Id: "old-ada", ChannelType: "EMAIL", Address: "ada@example.com" }] },
      }),
    );
    const url = write(
      "quoted.csv",
      [
        "Id,ChannelType,Address,Attributes.Interest,Attributes.Interest,User.UserId,User.UserAttributes.FullName,Metrics.visits",
        'e1,EMAIL,ada@example.com,math,"engines, analytical",ada,"Lovelace, Ada",3',
        "e2,SMS,+15550100,,,,,",
        "e3,PIGEON,coo@example.com,,,,,",
        'e4,EMAIL,"quoted ""name""@example.com",art,,,Bob,many',
        "e5,EMAIL,five@example.com",
        'e6,EMAIL,"six@example.com",music,,six,"Six, The",1',
      ].join("\n"),
    );
    const created = await startImport(appId, { S3Url: url, ExternalId: "ext-1" });
    expect(created).toMatchObject({
      ApplicationId: appId,
      JobStatus: "CREATED",
      Type: "IMPORT",
      Definition: { Format: "CSV", S3Url: url, RoleArn: roleArn, ExternalId: "ext-1", RegisterEndpoints: true },
    });

    const job = await finished(appId, created.Id ?? "");
    expect(job).toMatchObject({
      JobStatus: "COMPLETED",
      TotalPieces: 1,
      CompletedPieces: 1,
      FailedPieces: 0,
      TotalProcessed: 6,
      TotalFailures: 3,
    });
    expect(job.Failures).toEqual([
      expect.stringMatching(/^line 4: ChannelType must be one of/),
      'line 5: Metrics.visits must be a number, not "many"',
      "line 6: 3 values for 8 columns",
    ]);
    expect(Date.parse(job.CompletionDate ?? "")).not.toBeNaN();
    expect(await endpoint(appId, "e1")).toMatchObject({
      ChannelType: "EMAIL",
      Address: "ada@example.com",
      Attributes: { Interest: ["math", "engines, analytical"] },
      User: { UserId: "ada", UserAttributes: { FullName: ["Lovelace, Ada"] } },
      Metrics: { visits: 3 },
    });
    expect(await endpoint(appId, "e6")).toMatchObject({ User: { UserAttributes: { FullName: ["Six, The"] } } });
    expect((await endpoint(appId, "e2"))?.Address).toBe("+15550100");
    expect((await endpoint(appId, "old-ada"))?.EndpointStatus).toBe("INACTIVE");
    for (const refused of ["e3", "e4", "e5"]) {
      await expect(endpoint(appId, refused)).rejects.toBeInstanceOf(NotFoundException);
    }
  });

  it("imports newline-delimited JSON from an s3:// URL mapped in the config, deriving missing Ids", async () => {
    const appId = await createApp();
    write(
      "json/endpoints.json",
      [
        '{"Id":"j1","ChannelType":"SMS","Address":"+16045550182","Location":{"Country":"CA"},"User":{"UserId":"u1"}}',
        "",
        '{"ChannelType":"EMAIL","Address":"john.stiles@example.com","Demographic":{"Platform":"iOS"}}',
        "{not json",
      ].join("\n"),
    );
    const job = await runImport(appId, { Format: "JSON", S3Url: "s3://waymark-imports/json/endpoints.json" });
    expect(job).toMatchObject({ JobStatus: "COMPLETED", TotalProcessed: 3, TotalFailures: 1 });
    expect(job.Failures).toEqual([expect.stringMatching(/^line 4: not valid JSON/)]);
    expect(await endpoint(appId, "j1")).toMatchObject({ Location: { Country: "CA" }, User: { UserId: "u1" } });

    const again = await runImport(appId, { Format: "JSON", S3Url: "s3://waymark-imports/json/endpoints.json" });
    expect(again.TotalProcessed).toBe(3);
    const rows = await t.server.services.store.db
      .selectFrom("endpoints")
      .select(["id", "address"])
      .where("app_id", "=", appId)
      .execute();
    expect(rows.map((row) => row.address).sort()).toEqual(["+16045550182", "john.stiles@example.com"]);
  });

  it("imports every file of a folder as one piece each and fails only the piece it cannot read", async () => {
    const appId = await createApp();
    write("folder/a.csv", "Id,ChannelType,Address\nf1,EMAIL,f1@example.com\nf2,EMAIL,f2@example.com\n");
    write("folder/nested/b.csv", "Id,ChannelType,Address\nf3,SMS,+15550103\n");
    write("folder/skipped.json", '{"Id":"never","ChannelType":"EMAIL","Address":"x@example.com"}\n');
    const twoPieces = await runImport(appId, { S3Url: "s3://waymark-imports/folder/" });
    expect(twoPieces).toMatchObject({ JobStatus: "COMPLETED", TotalPieces: 2, CompletedPieces: 2, TotalProcessed: 3 });
    await expect(endpoint(appId, "never")).rejects.toBeInstanceOf(NotFoundException);

    write("folder/nested/c.csv", "Id,Nickname\nf4,Four\n");
    const oneFailed = await runImport(appId, { S3Url: "s3://waymark-imports/folder" });
    expect(oneFailed).toMatchObject({ JobStatus: "COMPLETED", TotalPieces: 3, CompletedPieces: 2, FailedPieces: 1 });
    expect(oneFailed.Failures).toEqual([
      expect.stringMatching(/c\.csv: column "Nickname" is not an endpoint attribute/),
    ]);
  });

  it("defines an imported segment with the imported endpoints and adds a user's endpoints to it later", async () => {
    const appId = await createApp();
    const url = write(
      "segment.csv",
      "ChannelType,Address,User.UserId\nEMAIL,s1@example.com,grace\nSMS,+15550111,grace\nEMAIL,s3@example.com,\n",
    );
    const job = await runImport(appId, { S3Url: url, DefineSegment: true, SegmentName: "Newsletter" });
    const segmentId = job.Definition?.SegmentId ?? "";
    expect(job).toMatchObject({
      JobStatus: "COMPLETED",
      Definition: { DefineSegment: true, SegmentName: "Newsletter" },
    });
    const { db } = t.server.services.store;
    const segment = await db
      .selectFrom("segments")
      .selectAll()
      .where("app_id", "=", appId)
      .where("id", "=", segmentId)
      .executeTakeFirstOrThrow();
    expect(segment).toMatchObject({ name: "Newsletter", segment_type: "IMPORT", version: 1 });
    expect(fromJson(segment.definition)).toEqual({
      ImportDefinition: {
        ChannelCounts: { EMAIL: 2, SMS: 1 },
        ExternalId: "000000000000",
        Format: "CSV",
        RoleArn: roleArn,
        S3Url: url,
        Size: 3,
      },
    });
    expect(await segmentMembers(appId, segmentId)).toHaveLength(3);

    await t.client.send(
      new UpdateEndpointsBatchCommand({
        ApplicationId: appId,
        EndpointBatchRequest: {
          Item: [
            { Id: "h1", ChannelType: "EMAIL", Address: "hopper@example.com", User: { UserId: "hopper" } },
            { Id: "h2", ChannelType: "SMS", Address: "+15550199", User: { UserId: "hopper" } },
          ],
        },
      }),
    );
    const users = write("users.csv", "User.UserId\nhopper nobody\n");
    const added = await runImport(appId, { S3Url: users, SegmentId: segmentId });
    expect(added).toMatchObject({ JobStatus: "COMPLETED", TotalProcessed: 1, TotalFailures: 1 });
    expect(added.Failures).toEqual(["line 2: no endpoints have User.UserId nobody"]);
    expect(await segmentMembers(appId, segmentId)).toEqual(expect.arrayContaining(["h1", "h2"]));
    expect(await segmentMembers(appId, segmentId)).toHaveLength(5);

    const segmentJobs = await t.client.send(
      new GetSegmentImportJobsCommand({ ApplicationId: appId, SegmentId: segmentId }),
    );
    expect(segmentJobs.ImportJobsResponse?.Item?.map((j) => j.Id)).toEqual([added.Id, job.Id]);
  });

  it("refuses a bad Format, a missing file, an unmapped s3:// URL and an unknown app or job, creating nothing", async () => {
    const appId = await createApp();
    const url = write("ok.csv", "Id,ChannelType,Address\nz1,EMAIL,z1@example.com\n");
    await expect(startImport(appId, { S3Url: url, Format: "XML" as never })).rejects.toThrow(
      /Format must be CSV or JSON/,
    );
    await expect(startImport(appId, { S3Url: pathToFileURL(join(files, "missing.csv")).href })).rejects.toThrow(
      /names no CSV file/,
    );
    await expect(startImport(appId, { S3Url: "s3://elsewhere/ok.csv" })).rejects.toThrow(
      /not mapped.*"s3:\/\/elsewhere"/,
    );
    await expect(startImport(appId, { S3Url: url, DefineSegment: true })).rejects.toBeInstanceOf(BadRequestException);
    await expect(startImport("no-such-app", { S3Url: url })).rejects.toBeInstanceOf(NotFoundException);
    await expect(importJob(appId, "no-such-job")).rejects.toBeInstanceOf(NotFoundException);
    const jobs = await t.client.send(new GetImportJobsCommand({ ApplicationId: appId }));
    expect(jobs.ImportJobsResponse?.Item).toEqual([]);
  });

  it("pages GetImportJobs newest first", async () => {
    const appId = await createApp();
    const url = write("page.csv", "Id,ChannelType,Address\np1,EMAIL,p1@example.com\n");
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await startImport(appId, { S3Url: url })).Id ?? "");
    const first = await t.client.send(new GetImportJobsCommand({ ApplicationId: appId, PageSize: "2" }));
    expect(first.ImportJobsResponse?.Item?.map((j) => j.Id)).toEqual([ids[2], ids[1]]);
    const second = await t.client.send(
      new GetImportJobsCommand({ ApplicationId: appId, PageSize: "2", Token: first.ImportJobsResponse?.NextToken }),
    );
    expect(second.ImportJobsResponse?.Item?.map((j) => j.Id)).toEqual([ids[0]]);
    expect(second.ImportJobsResponse?.NextToken).toBeUndefined();
    for (const id of ids) await finished(appId, id);
  });

  it("resumes from the checkpoint's line, applying only the rows after it", async () => {
    const appId = await createApp();
    const lines = Array.from({ length: 10 }, (_, i) => `r${i + 1},EMAIL,r${i + 1}@example.com`);
    const url = write("resume.csv", ["Id,ChannelType,Address", ...lines].join("\n"));
    const jobId = "resume-job";
    const { services } = t.server;
    await insertTransferJob(services.store.db, {
      id: jobId,
      appId,
      type: "IMPORT",
      definition: { Format: "CSV", S3Url: url, RoleArn: roleArn },
      status: "PROCESSING",
      creationDate: new Date().toISOString(),
      totalPieces: 1,
      completedPieces: 0,
      failedPieces: 0,
      totalProcessed: 4,
      totalFailures: 0,
      failures: [],
      checkpoint: { pieces: [url], piece: 0, line: 5 },
    });
    await importJobTask(
      { jobId },
      {
        services,
        job: { id: 0, task: "import-job", payload: { jobId }, attempts: 1, max_attempts: 10 },
        log: t.server.app.log,
        heartbeat: async () => {},
        signal: new AbortController().signal,
      },
    );
    expect(await importJob(appId, jobId)).toMatchObject({ JobStatus: "COMPLETED", TotalProcessed: 10 });
    const rows = await services.store.db.selectFrom("endpoints").select("id").where("app_id", "=", appId).execute();
    expect(rows.map((row) => row.id).sort()).toEqual(["r10", "r5", "r6", "r7", "r8", "r9"]);
  });

  it("exports the app's endpoints as gzipped JSON lines and an imported segment's members alone", async () => {
    const appId = await createApp();
    const url = write("export-segment.csv", "Id,ChannelType,Address\nx1,EMAIL,x1@example.com\nx2,SMS,+15550122\n");
    const segmentId = (await runImport(appId, { S3Url: url, DefineSegment: true, SegmentName: "Two" })).Definition
      ?.SegmentId;
    await t.client.send(
      new UpdateEndpointsBatchCommand({
        ApplicationId: appId,
        EndpointBatchRequest: {
          Item: [{ Id: "x3", ChannelType: "EMAIL", Address: "x3@example.com", Attributes: { Plan: ["gold", "x,y"] } }],
        },
      }),
    );
    const exportTo = async (S3UrlPrefix: string, SegmentId?: string) => {
      const created = await t.client.send(
        new CreateExportJobCommand({
          ApplicationId: appId,
          ExportJobRequest: { S3UrlPrefix, RoleArn: roleArn, SegmentId },
        }),
      );
      expect(created.ExportJobResponse).toMatchObject({ JobStatus: "CREATED", Type: "EXPORT" });
      const jobId = created.ExportJobResponse?.Id ?? "";
      await vi.waitFor(async () => {
        const job = await t.client.send(new GetExportJobCommand({ ApplicationId: appId, JobId: jobId }));
        expect(job.ExportJobResponse?.JobStatus).toBe("COMPLETED");
      }, untilDone);
      return (await t.client.send(new GetExportJobCommand({ ApplicationId: appId, JobId: jobId }))).ExportJobResponse;
    };
    const ndjson = (gz: Buffer) =>
      gunzipSync(gz)
        .toString("utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as EndpointResponse);

    const all = await exportTo(pathToFileURL(join(files, "exports/all/")).href);
    expect(all).toMatchObject({ TotalPieces: 1, CompletedPieces: 1, TotalProcessed: 3 });
    const folder = join(files, "exports/all", all?.Id ?? "");
    expect(readdirSync(folder)).toEqual(["part-00001.gz"]);
    const exported = ndjson(readFileSync(join(folder, "part-00001.gz")));
    expect(exported.map((e) => e.Id)).toEqual(["x1", "x2", "x3"]);
    for (const e of exported) {
      expect(e).toEqual(JSON.parse(JSON.stringify(await endpoint(appId, e.Id ?? ""))));
    }

    const members = await exportTo("s3://waymark-exports/http/segments", segmentId);
    expect(members).toMatchObject({ TotalProcessed: 2, Definition: { SegmentId: segmentId } });
    const body = received.get(`/bucket/segments/${members?.Id}/part-00001.gz`);
    expect(ndjson(body ?? Buffer.alloc(0)).map((e) => e.Id)).toEqual(["x1", "x2"]);
  });

  it("refuses to export a dimensional segment for now", async () => {
    const appId = await createApp();
    const now = new Date().toISOString();
    await t.server.services.store.db
      .insertInto("segments")
      .values({
        app_id: appId,
        id: "dimensional",
        name: "Dimensional",
        segment_type: "DIMENSIONAL",
        version: 1,
        definition: "{}",
        creation_date: now,
        last_modified_date: now,
        tags: "{}",
      })
      .execute();
    await expect(
      t.client.send(
        new CreateExportJobCommand({
          ApplicationId: appId,
          ExportJobRequest: { S3UrlPrefix: pathToFileURL(files).href, RoleArn: roleArn, SegmentId: "dimensional" },
        }),
      ),
    ).rejects.toThrow(/not supported yet/);
  });
});

describe.each(databases)("an import across a restart on %s", (kind) => {
  it("resumes where the stopped server left off, without applying any row twice or skipping one", async () => {
    const files = mkdtempSync(join(tmpdir(), "waymark-import-restart-"));
    const rows = 20_000;
    const lines = ["Id,ChannelType,Address,Attributes.Batch"];
    for (let i = 1; i <= rows; i++) {
      lines.push(i % 1000 === 0 ? `bad${i},PIGEON,p${i}@example.com,x` : `k${i},EMAIL,k${i}@example.com,b${i % 7}`);
    }
    writeFileSync(join(files, "big.csv"), lines.join("\n"));
    const first = await startTestServer(kind);
    const appId =
      (await first.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Restart" } })))
        .ApplicationResponse?.Id ?? "";
    const created = await first.client.send(
      new CreateImportJobCommand({
        ApplicationId: appId,
        ImportJobRequest: { Format: "CSV", RoleArn: roleArn, S3Url: pathToFileURL(join(files, "big.csv")).href },
      }),
    );
    const jobId = created.ImportJobResponse?.Id ?? "";
    const get = (t: TestServer) => t.client.send(new GetImportJobCommand({ ApplicationId: appId, JobId: jobId }));
    await vi.waitFor(async () => {
      expect((await get(first)).ImportJobResponse?.TotalProcessed).toBeGreaterThan(0);
    }, untilDone);
    first.client.destroy();
    await first.server.close();

    const second = await startTestServer(kind, {}, { database: first.database });
    try {
      const stopped = await second.server.services.store.db
        .selectFrom("transfer_jobs")
        .select(["total_processed", "job_status"])
        .where("id", "=", jobId)
        .executeTakeFirstOrThrow();
      expect(stopped.total_processed).toBeLessThan(rows);
      await vi.waitFor(
        async () => expect((await get(second)).ImportJobResponse?.JobStatus).toBe("COMPLETED"),
        untilDone,
      );
      const job = (await get(second)).ImportJobResponse;
      expect(job).toMatchObject({ TotalProcessed: rows, TotalFailures: rows / 1000 });
      expect(new Set(job?.Failures).size).toBe(rows / 1000);
      const count = await second.server.services.store.db
        .selectFrom("endpoints")
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .where("app_id", "=", appId)
        .executeTakeFirstOrThrow();
      expect(Number(count.count)).toBe(rows - rows / 1000);
    } finally {
      await second.close();
      rmSync(files, { recursive: true, force: true });
    }
  });
});
