/**
 * Broadcasts, Waymark's company-wide event: one call enters every endpoint of the segment of each
 * ACTIVE journey whose broadcast trigger matches, once, whatever is retried; the progress is
 * visible while it fans out; `waymark broadcast` sends one and follows it. (A kill -9 during a
 * broadcast's fan-out: journey-durability.test.ts.)
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { CreateJourneyCommand } from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broadcastJourney } from "./support/journey-definitions.js";
import {
  createApp,
  endpointIds,
  participants,
  planSegment,
  publishJourney,
  putAudience,
  runs,
  setJourneyState,
  writeAudience,
} from "./support/journeys.js";
import { cliPath } from "./support/process.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";
import { signedFetch } from "./support/signed-fetch.js";

const settled = { timeout: 30_000, interval: 50 };

interface Broadcast {
  Id: string;
  ApplicationId: string;
  EventType: string;
  Attributes: Record<string, string>;
  Metrics: Record<string, number>;
  CreationDate: string;
  CompletionDate?: string;
  State: string;
  Journeys: Array<{
    JourneyId: string;
    SegmentId?: string;
    SegmentSize?: number;
    EndpointsEntered: number;
    State: string;
  }>;
  EndpointsEntered: number;
  SegmentSize?: number;
  Message?: string;
}

describe.each(databases)("broadcasts on %s", (kind) => {
  let t: TestServer;

  beforeAll(async () => {
    if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run npm run build (npm test does)`);
    t = await startTestServer(kind);
  });
  afterAll(() => t.close());

  const send = (appId: string, body: unknown) =>
    signedFetch(t.url, "POST", `/v1/apps/${appId}/broadcasts`, typeof body === "string" ? body : JSON.stringify(body));
  const read = async (appId: string, id: string) =>
    (await signedFetch(t.url, "GET", `/v1/apps/${appId}/broadcasts/${id}`)).json as unknown as Broadcast;
  const list = async (appId: string, query = "") =>
    (await signedFetch(t.url, "GET", `/v1/apps/${appId}/broadcasts${query}`)).json as unknown as {
      Item: Broadcast[];
      NextToken?: string;
    };
  const done = async (appId: string, id: string) => {
    await expect.poll(async () => (await read(appId, id)).State, settled).toBe("DONE");
    return read(appId, id);
  };

  it("a broadcast enters every endpoint of the segment once, and a retry enters nobody twice", async () => {
    const appId = await createApp(t, "Broadcasts");
    await putAudience(t, appId, endpointIds("pro", 40), "pro");
    await putAudience(t, appId, endpointIds("free", 10), "free");
    const segmentId = await planSegment(t, appId, "pro");
    const release = await publishJourney(t, appId, broadcastJourney(segmentId, ["feature_release"]));
    const other = await publishJourney(t, appId, broadcastJourney(segmentId, ["price_change"]));
    await t.client.send(
      new CreateJourneyCommand({
        ApplicationId: appId,
        WriteJourneyRequest: broadcastJourney(segmentId, ["feature_release"]),
      }),
    );
    const body = {
      Id: "release-1",
      EventType: "feature_release",
      Attributes: { feature: "Dark mode" },
      Metrics: { version: 2 },
    };

    const sent = await send(appId, body);
    expect(sent.status).toBe(202);
    expect(sent.json).toMatchObject({ Id: "release-1", ApplicationId: appId, EventType: "feature_release" });
    expect((sent.json as unknown as Broadcast).Journeys.map((j) => j.JourneyId)).toEqual([release]);

    const finished = await done(appId, "release-1");
    expect(finished).toMatchObject({
      Attributes: { feature: "Dark mode" },
      Metrics: { version: 2 },
      Journeys: [{ JourneyId: release, SegmentId: segmentId, SegmentSize: 40, EndpointsEntered: 40, State: "DONE" }],
      EndpointsEntered: 40,
      SegmentSize: 40,
    });
    expect(Date.parse(finished.CompletionDate ?? "")).toBeGreaterThanOrEqual(Date.parse(finished.CreationDate));
    const entered = await participants(t, release);
    expect(entered.map((e) => e.endpointId)).toEqual(endpointIds("pro", 40));
    expect(entered.every((e) => e.entryKey === `broadcast:release-1:${e.endpointId}`)).toBe(true);
    expect(entered.every((e) => e.broadcastId === "release-1" && e.runId === "release-1")).toBe(true);
    expect(await participants(t, other)).toEqual([]);

    const retried = await send(appId, { ...body, Attributes: { feature: "Dark mode" } });
    expect(retried.status).toBe(202);
    expect(retried.json).toMatchObject({ Id: "release-1", CreationDate: finished.CreationDate, EndpointsEntered: 40 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await participants(t, release)).toHaveLength(40);
    expect(await runs(t, release)).toHaveLength(1);

    const changed = await send(appId, { ...body, Attributes: { feature: "Light mode" } });
    expect(changed.status).toBe(409);
    expect(changed.headers.get("x-amzn-errortype")).toBe("ConflictException");
    expect(changed.json.Message).toMatch(/release-1 was already sent with a different event/);

    // The engine takes the entries up: everyone is in the journey, at its wait.
    await expect
      .poll(async () => (await participants(t, release)).filter((e) => e.status === "ACTIVE").length, settled)
      .toBe(40);
  });

  it("its progress is visible while the segment is fanned out", async () => {
    const appId = await createApp(t, "Progress");
    // Eight pages of the fan-out (1,000 endpoints each). PostgreSQL answers a read between any two;
    // on SQLite this server's one thread writes the pages, and a read gets in every two or three.
    const size = 8000;
    await writeAudience(t, appId, endpointIds("many", size));
    const segmentId = await planSegment(t, appId);
    const journeyId = await publishJourney(t, appId, broadcastJourney(segmentId, ["launch"]));

    const sent = (await send(appId, { EventType: "launch" })).json as unknown as Broadcast;
    expect(sent.Id).toMatch(/^[0-9a-f]{32}$/);
    const seen: number[] = [];
    let current = sent;
    while (current.State !== "DONE") {
      seen.push(current.EndpointsEntered);
      current = await read(appId, sent.Id);
    }
    expect(current.EndpointsEntered).toBe(size);
    expect(current.Journeys).toEqual([
      { JourneyId: journeyId, SegmentId: segmentId, SegmentSize: size, EndpointsEntered: size, State: "DONE" },
    ]);
    expect(seen.some((count) => count > 0 && count < size)).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(await participants(t, journeyId)).toHaveLength(size);
  });

  it("a broadcast that matches no journey is recorded and says so", async () => {
    const appId = await createApp(t, "Nobody listens");
    const segmentId = await planSegment(t, appId);
    const paused = await publishJourney(t, appId, broadcastJourney(segmentId, ["quiet"]));
    await setJourneyState(t, appId, paused, "PAUSED");

    const sent = await send(appId, { Id: "quiet-1", EventType: "quiet" });
    expect(sent.status).toBe(202);
    expect(sent.json).toMatchObject({ Id: "quiet-1", State: "DONE", Journeys: [], EndpointsEntered: 0 });
    expect(sent.json.Message).toMatch(/No ACTIVE journey's broadcast trigger matches event type quiet/);
    expect(await read(appId, "quiet-1")).toMatchObject({ State: "DONE", Journeys: [] });
    expect((await list(appId)).Item.map((b) => b.Id)).toEqual(["quiet-1"]);
  });

  it("lists an app's broadcasts newest first, in pages", async () => {
    const appId = await createApp(t, "Listing");
    for (const id of ["b-1", "b-2", "b-3"]) {
      await send(appId, { Id: id, EventType: "tick" });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const first = await list(appId, "?page-size=2");
    expect(first.Item.map((b) => b.Id)).toEqual(["b-3", "b-2"]);
    const second = await list(appId, `?page-size=2&token=${first.NextToken}`);
    expect(second.Item.map((b) => b.Id)).toEqual(["b-1"]);
    expect(second.NextToken).toBeUndefined();
  });

  it.each([
    ["no EventType", { Attributes: { a: "b" } }, /EventType is required/],
    ["a metric that is not a number", { EventType: "x", Metrics: { score: "high" } }, /score/],
    ["an attribute that is not text", { EventType: "x", Attributes: { n: 5 } }, /\bn\b/],
    ["an attribute value over 200 characters", { EventType: "x", Attributes: { a: "y".repeat(201) } }, /200/],
    ["an Id with a colon", { Id: "a:b", EventType: "x" }, /Id must be/],
    ["a body that is not JSON", "{not json", /not valid JSON/],
  ])("refuses %s with Pinpoint's 400 and stores nothing", async (_, body, message) => {
    const appId = await createApp(t, "Refusals");
    const answer = await send(appId, body);
    expect(answer.status).toBe(400);
    expect(answer.headers.get("x-amzn-errortype")).toBe("BadRequestException");
    expect(answer.json).toEqual({ Message: expect.stringMatching(message), RequestID: expect.any(String) });
    expect((await list(appId)).Item).toEqual([]);
  });

  it("answers 404 for an unknown application or broadcast", async () => {
    const appId = await createApp(t, "Unknown");
    const noApp = await send("no-such-app", { EventType: "x" });
    expect(noApp.status).toBe(404);
    expect(noApp.headers.get("x-amzn-errortype")).toBe("NotFoundException");
    const noBroadcast = await signedFetch(t.url, "GET", `/v1/apps/${appId}/broadcasts/nope`);
    expect(noBroadcast.status).toBe(404);
    expect(noBroadcast.json.Message).toBe("Broadcast not found: nope");
  });

  /** `waymark` as a user runs it, on the database the server uses; never a TTY here. */
  const waymark = (args: string[], databaseUrl: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [cliPath, ...args],
        { env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl }, timeout: 60_000 },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
        },
      );
    });

  it("waymark broadcast sends the broadcast and follows it to the end", async () => {
    const appId = await createApp(t, "Command line");
    await writeAudience(t, appId, endpointIds("ep", 3000));
    const journeyId = await publishJourney(
      t,
      appId,
      broadcastJourney(await planSegment(t, appId), ["feature_release"]),
    );
    // The command writes to the database; the server running on it (this test's) fans out.
    const { database } = t;
    const args = ["broadcast", "--app", appId, "--event-type", "feature_release", "--attribute", "feature=Dark mode"];
    const first = await waymark([...args, "--metric", "version=2", "--id", "cli-1"], database.url);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split("\n");
    expect(lines[0]).toBe("Broadcast cli-1 (feature_release) starts 1 journey.");
    expect(lines).toContain("3,000 of 3,000 endpoints entered (100%)");
    expect(lines.at(-1)).toBe("Broadcast cli-1 is done: 3,000 endpoints entered.");
    expect(first.stdout).not.toContain("\r");
    const entered = await participants(t, journeyId);
    expect(entered.map((e) => e.endpointId)).toEqual(endpointIds("ep", 3000));

    const again = await waymark([...args, "--metric", "version=2", "--id", "cli-1"], database.url);
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split("\n").at(-1)).toBe("Broadcast cli-1 is done: 3,000 endpoints entered.");
    expect(await participants(t, journeyId)).toHaveLength(3000);

    // The refusals and the broadcast nobody listens to touch nothing the others read: one process each, at once.
    const [conflicting, nobody, unknownApp, badMetric] = await Promise.all([
      waymark([...args, "--metric", "version=3", "--id", "cli-1"], database.url),
      waymark(["broadcast", "--app", appId, "--event-type", "unheard_of"], database.url),
      waymark(["broadcast", "--app", "nope", "--event-type", "x"], database.url),
      waymark([...args, "--metric", "version=two"], database.url),
    ]);
    expect(conflicting.code).toBe(1);
    expect(conflicting.stderr).toMatch(/^waymark: Broadcast cli-1 was already sent with a different event/);
    expect(nobody.code).toBe(0);
    expect(nobody.stdout).toMatch(/is recorded\. No ACTIVE journey's broadcast trigger matches event type unheard_of/);
    expect(unknownApp.code).toBe(1);
    expect(unknownApp.stderr.trim()).toBe("waymark: Application not found: nope");
    expect(badMetric.code).toBe(1);
    expect(badMetric.stderr.trim()).toBe('waymark: --metric version must be a number, not "two"');
  });
});
