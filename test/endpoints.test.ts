import {
  BadRequestException,
  CreateAppCommand,
  DeleteEndpointCommand,
  DeleteUserEndpointsCommand,
  GetEndpointCommand,
  GetUserEndpointsCommand,
  NotFoundException,
  RemoveAttributesCommand,
  UpdateEndpointCommand,
  UpdateEndpointsBatchCommand,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databases, startTestServer, type TestServer } from "./support/server.js";
import { signedFetch } from "./support/signed-fetch.js";

describe.each(databases)("endpoints on %s", (kind) => {
  let t: TestServer;
  let appId: string;
  const get = async (id: string) =>
    (await t.client.send(new GetEndpointCommand({ ApplicationId: appId, EndpointId: id }))).EndpointResponse;

  beforeAll(async () => {
    t = await startTestServer(kind);
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Endpoints" } }));
    appId = app.ApplicationResponse?.Id ?? "";
  });
  afterAll(() => t.close());

  it("creates an endpoint with Pinpoint's defaults and reads every field back", async () => {
    const answer = await t.client.send(
      new UpdateEndpointCommand({
        ApplicationId: appId,
        EndpointId: "e-create",
        EndpointRequest: {
          ChannelType: "EMAIL",
          Address: "ada@example.com",
          Attributes: { Interests: ["math", "engines"] },
          Metrics: { score: 9.5 },
          User: { UserId: "ada", UserAttributes: { FirstName: ["Ada"] } },
          Demographic: { Timezone: "Europe/London", Platform: "web" },
          Location: { City: "London", Country: "GB", Latitude: 51.5, Longitude: -0.12 },
          RequestId: "r-1",
        },
      }),
    );
    expect(answer.MessageBody?.Message).toBe("Accepted");
    const endpoint = await get("e-create");
    expect(endpoint).toMatchObject({
      ApplicationId: appId,
      Id: "e-create",
      ChannelType: "EMAIL",
      Address: "ada@example.com",
      Attributes: { Interests: ["math", "engines"] },
      Metrics: { score: 9.5 },
      User: { UserId: "ada", UserAttributes: { FirstName: ["Ada"] } },
      Demographic: { Timezone: "Europe/London", Platform: "web" },
      Location: { City: "London", Country: "GB", Latitude: 51.5, Longitude: -0.12 },
      OptOut: "NONE",
      EndpointStatus: "ACTIVE",
      RequestId: "r-1",
    });
    expect(Number(endpoint?.CohortId)).toBeGreaterThanOrEqual(0);
    expect(Number(endpoint?.CohortId)).toBeLessThan(100);
    expect(Date.parse(endpoint?.CreationDate ?? "")).not.toBeNaN();
    expect(endpoint?.EffectiveDate).toBeTruthy();
  });

  it("merges an update key by key and keeps what the update leaves out", async () => {
    const request = (r: object) =>
      new UpdateEndpointCommand({ ApplicationId: appId, EndpointId: "e-merge", EndpointRequest: r });
    await t.client.send(
      request({
        ChannelType: "SMS",
        Address: "+15550100",
        Attributes: { Plan: ["free"], Region: ["eu"] },
        Demographic: { Locale: "en_GB", Platform: "ios" },
        User: { UserId: "u-merge", UserAttributes: { Tier: ["1"] } },
      }),
    );
    const first = await get("e-merge");
    await t.client.send(
      request({
        Attributes: { Plan: ["pro"] },
        Demographic: { Platform: "android" },
        OptOut: "ALL",
        EffectiveDate: "2026-01-02T03:04:05.000Z",
      }),
    );
    const endpoint = await get("e-merge");
    expect(endpoint?.Attributes).toEqual({ Plan: ["pro"], Region: ["eu"] });
    expect(endpoint?.Demographic).toEqual({ Locale: "en_GB", Platform: "android" });
    expect(endpoint?.User).toEqual({ UserId: "u-merge", UserAttributes: { Tier: ["1"] } });
    expect(endpoint?.Address).toBe("+15550100");
    expect(endpoint?.OptOut).toBe("ALL");
    expect(endpoint?.EffectiveDate).toBe("2026-01-02T03:04:05.000Z");
    expect(endpoint?.CreationDate).toBe(first?.CreationDate);
    expect(endpoint?.CohortId).toBe(first?.CohortId);
  });

  it("marks another endpoint with the same address INACTIVE", async () => {
    const send = (id: string) =>
      t.client.send(
        new UpdateEndpointCommand({
          ApplicationId: appId,
          EndpointId: id,
          EndpointRequest: { ChannelType: "EMAIL", Address: "shared@example.com" },
        }),
      );
    await send("e-old");
    await send("e-new");
    expect((await get("e-old"))?.EndpointStatus).toBe("INACTIVE");
    expect((await get("e-new"))?.EndpointStatus).toBe("ACTIVE");
  });

  it("refuses a batch with one bad item and writes none of it", async () => {
    await expect(
      t.client.send(
        new UpdateEndpointsBatchCommand({
          ApplicationId: appId,
          EndpointBatchRequest: {
            Item: [
              { Id: "batch-ok", ChannelType: "EMAIL", Address: "ok@example.com" },
              { Id: "batch-bad", ChannelType: "PIGEON" as never, Address: "coo" },
            ],
          },
        }),
      ),
    ).rejects.toThrow(/ChannelType must be one of/);
    await expect(get("batch-ok")).rejects.toBeInstanceOf(NotFoundException);
  });

  it("writes a batch of 100 and refuses a batch of 101", async () => {
    const items = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        Id: `bulk-${n}-${i}`,
        ChannelType: "EMAIL" as const,
        Address: `b${n}-${i}@example.com`,
      }));
    await t.client.send(
      new UpdateEndpointsBatchCommand({ ApplicationId: appId, EndpointBatchRequest: { Item: items(100) } }),
    );
    expect((await get("bulk-100-99"))?.Address).toBe("b100-99@example.com");
    await expect(
      t.client.send(
        new UpdateEndpointsBatchCommand({ ApplicationId: appId, EndpointBatchRequest: { Item: items(101) } }),
      ),
    ).rejects.toBeInstanceOf(BadRequestException);
    await expect(get("bulk-101-0")).rejects.toBeInstanceOf(NotFoundException);
  });

  it.each([
    ["an attribute name over 50 characters", { Attributes: { ["x".repeat(51)]: ["v"] } }, /1 to 50 characters/],
    ["an attribute value over 100 characters", { Attributes: { a: ["v".repeat(101)] } }, /longer than 100/],
    ["more than 50 values", { Attributes: { a: Array.from({ length: 51 }, (_, i) => `${i}`) } }, /limit is 50/],
    [
      "more than 250 attributes",
      { Attributes: Object.fromEntries(Array.from({ length: 251 }, (_, i) => [`a${i}`, ["v"]])) },
      /at most 250 attributes/,
    ],
    ["a bad OptOut", { OptOut: "SOMETIMES" }, /OptOut must be ALL or NONE/],
    ["a latitude off the globe", { Location: { Latitude: 91 } }, /Latitude/],
    [
      "an endpoint over 15 KB",
      { Attributes: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, ["v".repeat(90)]])) },
      /at most 15 KB/,
    ],
  ])("refuses %s with a 400 and stores nothing", async (_label, request, message) => {
    const id = `bad-${Math.random().toString(36).slice(2)}`;
    const attempt = t.client.send(
      new UpdateEndpointCommand({ ApplicationId: appId, EndpointId: id, EndpointRequest: request }),
    );
    await expect(attempt).rejects.toBeInstanceOf(BadRequestException);
    await expect(attempt).rejects.toThrow(message);
    await expect(get(id)).rejects.toBeInstanceOf(NotFoundException);
  });

  it("allows 15 endpoints per user and refuses the 16th", async () => {
    const items = Array.from({ length: 15 }, (_, i) => ({ Id: `user15-${i}`, User: { UserId: "u15" } }));
    await t.client.send(
      new UpdateEndpointsBatchCommand({ ApplicationId: appId, EndpointBatchRequest: { Item: items } }),
    );
    await expect(
      t.client.send(
        new UpdateEndpointCommand({
          ApplicationId: appId,
          EndpointId: "user15-16",
          EndpointRequest: { User: { UserId: "u15" } },
        }),
      ),
    ).rejects.toThrow(/more than 15 endpoints/);
    // Updating one of the 15 again is not a 16th.
    await t.client.send(
      new UpdateEndpointCommand({
        ApplicationId: appId,
        EndpointId: "user15-3",
        EndpointRequest: { User: { UserId: "u15" }, Attributes: { x: ["y"] } },
      }),
    );
  });

  it("reads and deletes a user's endpoints", async () => {
    for (const id of ["grace-email", "grace-sms"]) {
      await t.client.send(
        new UpdateEndpointCommand({
          ApplicationId: appId,
          EndpointId: id,
          EndpointRequest: { User: { UserId: "grace" } },
        }),
      );
    }
    const user = await t.client.send(new GetUserEndpointsCommand({ ApplicationId: appId, UserId: "grace" }));
    expect(user.EndpointsResponse?.Item?.map((e) => e.Id)).toEqual(["grace-email", "grace-sms"]);
    const deleted = await t.client.send(new DeleteUserEndpointsCommand({ ApplicationId: appId, UserId: "grace" }));
    expect(deleted.EndpointsResponse?.Item).toHaveLength(2);
    await expect(
      t.client.send(new GetUserEndpointsCommand({ ApplicationId: appId, UserId: "grace" })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it("deletes an endpoint and answers what it was", async () => {
    await t.client.send(
      new UpdateEndpointCommand({
        ApplicationId: appId,
        EndpointId: "doomed",
        EndpointRequest: { Address: "x@example.com" },
      }),
    );
    const deleted = await t.client.send(new DeleteEndpointCommand({ ApplicationId: appId, EndpointId: "doomed" }));
    expect(deleted.EndpointResponse?.Address).toBe("x@example.com");
    await expect(get("doomed")).rejects.toBeInstanceOf(NotFoundException);
  });

  it("removes attributes by exact name and by glob from every endpoint", async () => {
    await t.client.send(
      new UpdateEndpointsBatchCommand({
        ApplicationId: appId,
        EndpointBatchRequest: {
          Item: [
            { Id: "rm-1", Attributes: { RmInterestA: ["x"], RmInterestB: ["y"], Keep: ["k"], RmDrop: ["d"] } },
            { Id: "rm-2", Attributes: { RmInterestC: ["z"], Keep: ["k"] } },
          ],
        },
      }),
    );
    const answer = await t.client.send(
      new RemoveAttributesCommand({
        ApplicationId: appId,
        AttributeType: "endpoint-custom-attributes",
        UpdateAttributesRequest: { Blacklist: ["RmInterest*", "RmDrop"] },
      }),
    );
    expect(answer.AttributesResource?.Attributes).toEqual(["RmDrop", "RmInterestA", "RmInterestB", "RmInterestC"]);
    expect((await get("rm-1"))?.Attributes).toEqual({ Keep: ["k"] });
    expect((await get("rm-2"))?.Attributes).toEqual({ Keep: ["k"] });
    await expect(
      t.client.send(
        new RemoveAttributesCommand({
          ApplicationId: appId,
          AttributeType: "nonsense",
          UpdateAttributesRequest: { Blacklist: ["a"] },
        }),
      ),
    ).rejects.toBeInstanceOf(BadRequestException);
  });

  it("keeps endpoint ids with slashes, spaces and unicode intact in the path", async () => {
    const id = "user/42 café+1@example.com";
    await t.client.send(
      new UpdateEndpointCommand({
        ApplicationId: appId,
        EndpointId: id,
        EndpointRequest: { Address: "odd@example.com" },
      }),
    );
    expect((await get(id))?.Id).toBe(id);
    await t.client.send(new DeleteEndpointCommand({ ApplicationId: appId, EndpointId: id }));
    await expect(get(id)).rejects.toBeInstanceOf(NotFoundException);
  });

  it("answers 404 for an unknown app or endpoint", async () => {
    await expect(
      t.client.send(new UpdateEndpointCommand({ ApplicationId: "nope", EndpointId: "e", EndpointRequest: {} })),
    ).rejects.toBeInstanceOf(NotFoundException);
    await expect(get("never-was")).rejects.toBeInstanceOf(NotFoundException);
  });

  it("answers malformed JSON, wrong types and missing bodies with Pinpoint's 400", async () => {
    const path = `/v1/apps/${appId}/endpoints/raw`;
    for (const body of [
      "{not json",
      JSON.stringify({ Attributes: { a: "not-a-list" } }),
      JSON.stringify({ Metrics: { m: "1" } }),
    ]) {
      const answer = await signedFetch(t.url, "PUT", path, body);
      expect(answer.status).toBe(400);
      expect(answer.headers.get("x-amzn-errortype")).toBe("BadRequestException");
      expect(answer.json.Message).toEqual(expect.any(String));
      expect(answer.json.RequestID).toEqual(expect.any(String));
    }
    expect((await signedFetch(t.url, "PUT", path)).status).toBe(400);
    await expect(get("raw")).rejects.toBeInstanceOf(NotFoundException);
  });

  it("answers an oversized batch body with 413 PayloadTooLargeException", async () => {
    const body = JSON.stringify({ Item: [{ Id: "big", Attributes: { a: ["x".repeat(8 * 1024 * 1024)] } }] });
    const answer = await signedFetch(t.url, "PUT", `/v1/apps/${appId}/endpoints`, body);
    expect(answer.status).toBe(413);
    expect(answer.headers.get("x-amzn-errortype")).toBe("PayloadTooLargeException");
  });

  it("answers an unknown route with a 404 in Pinpoint's error shape", async () => {
    const answer = await signedFetch(t.url, "GET", "/v1/nothing-here");
    expect(answer.status).toBe(404);
    expect(answer.headers.get("x-amzn-errortype")).toBe("NotFoundException");
  });
});
