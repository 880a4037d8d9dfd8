import {
  BadRequestException,
  CreateAppCommand,
  GetEndpointCommand,
  NotFoundException,
  PutEventsCommand,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databases, startTestServer, type TestServer } from "./support/server.js";

describe.each(databases)("PutEvents on %s", (kind) => {
  let t: TestServer;
  let appId: string;
  const now = new Date().toISOString();

  beforeAll(async () => {
    t = await startTestServer(kind);
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Events" } }));
    appId = app.ApplicationResponse?.Id ?? "";
  });
  afterAll(() => t.close());

  const storedEvents = (endpointId: string) =>
    t.server.services.store.db
      .selectFrom("events")
      .select(["event_id", "event_type", "event_timestamp"])
      .where("app_id", "=", appId)
      .where("endpoint_id", "=", endpointId)
      .orderBy("event_id")
      .execute();

  it("accepts each good event with 202, refuses a bad one with 400, and records the good ones", async () => {
    const answer = await t.client.send(
      new PutEventsCommand({
        ApplicationId: appId,
        EventsRequest: {
          BatchItem: {
            "ep-1": {
              Endpoint: { ChannelType: "EMAIL", Address: "one@example.com", Attributes: { Plan: ["pro"] } },
              Events: {
                "ev-good": {
                  EventType: "purchase",
                  Timestamp: now,
                  Attributes: { item: "book" },
                  Metrics: { price: 12.5 },
                  Session: { Id: "s-1", StartTimestamp: now },
                },
                "ev-no-time": { EventType: "purchase", Timestamp: "yesterday-ish" },
                "ev-long-value": { EventType: "purchase", Timestamp: now, Attributes: { note: "x".repeat(201) } },
              },
            },
            "ep-2": { Endpoint: {}, Events: { "ev-2": { EventType: "_session.start", Timestamp: now } } },
          },
        },
      }),
    );
    const results = answer.EventsResponse?.Results ?? {};
    expect(results["ep-1"].EndpointItemResponse).toEqual({ StatusCode: 202, Message: "Accepted" });
    expect(results["ep-1"].EventsItemResponse?.["ev-good"]).toEqual({ StatusCode: 202, Message: "Accepted" });
    expect(results["ep-1"].EventsItemResponse?.["ev-no-time"]?.StatusCode).toBe(400);
    expect(results["ep-1"].EventsItemResponse?.["ev-no-time"]?.Message).toMatch(/Timestamp/);
    expect(results["ep-1"].EventsItemResponse?.["ev-long-value"]?.Message).toMatch(/at most 200 characters/);
    expect(results["ep-2"].EventsItemResponse?.["ev-2"]?.StatusCode).toBe(202);

    expect((await storedEvents("ep-1")).map((e) => e.event_id)).toEqual(["ev-good"]);
    expect((await storedEvents("ep-2")).map((e) => e.event_type)).toEqual(["_session.start"]);
  });

  it("upserts the endpoint carried in the batch", async () => {
    await t.client.send(
      new PutEventsCommand({
        ApplicationId: appId,
        EventsRequest: {
          BatchItem: {
            "ep-upsert": {
              Endpoint: {
                ChannelType: "SMS",
                Address: "+15550199",
                User: { UserId: "u-events" },
                Demographic: { Platform: "ios" },
              },
              Events: { e: { EventType: "open", Timestamp: now } },
            },
          },
        },
      }),
    );
    const endpoint = (await t.client.send(new GetEndpointCommand({ ApplicationId: appId, EndpointId: "ep-upsert" })))
      .EndpointResponse;
    expect(endpoint).toMatchObject({
      ChannelType: "SMS",
      Address: "+15550199",
      User: { UserId: "u-events" },
      Demographic: { Platform: "ios" },
    });
  });

  it("refuses the events of an item whose endpoint is refused, and keeps the rest of the batch", async () => {
    const answer = await t.client.send(
      new PutEventsCommand({
        ApplicationId: appId,
        EventsRequest: {
          BatchItem: {
            "ep-bad": { Endpoint: { ChannelType: "FAX" as never }, Events: { a: { EventType: "x", Timestamp: now } } },
            "ep-fine": { Endpoint: {}, Events: { b: { EventType: "x", Timestamp: now } } },
          },
        },
      }),
    );
    const results = answer.EventsResponse?.Results ?? {};
    expect(results["ep-bad"].EndpointItemResponse?.StatusCode).toBe(400);
    expect(results["ep-bad"].EventsItemResponse?.a?.StatusCode).toBe(400);
    expect(results["ep-fine"].EventsItemResponse?.b?.StatusCode).toBe(202);
    expect(await storedEvents("ep-bad")).toEqual([]);
    await expect(
      t.client.send(new GetEndpointCommand({ ApplicationId: appId, EndpointId: "ep-bad" })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it("records a retried batch once", async () => {
    const request = {
      ApplicationId: appId,
      EventsRequest: {
        BatchItem: { "ep-retry": { Endpoint: {}, Events: { once: { EventType: "x", Timestamp: now } } } },
      },
    };
    await t.client.send(new PutEventsCommand(request));
    await t.client.send(new PutEventsCommand(request));
    expect(await storedEvents("ep-retry")).toHaveLength(1);
  });

  it("refuses more than 100 events in one request and records none", async () => {
    const events = Object.fromEntries(
      Array.from({ length: 101 }, (_, i) => [`e${i}`, { EventType: "x", Timestamp: now }]),
    );
    await expect(
      t.client.send(
        new PutEventsCommand({
          ApplicationId: appId,
          EventsRequest: { BatchItem: { "ep-many": { Endpoint: {}, Events: events } } },
        }),
      ),
    ).rejects.toBeInstanceOf(BadRequestException);
    expect(await storedEvents("ep-many")).toEqual([]);
  });

  it("refuses an event with more than 40 attributes and metrics", async () => {
    const Attributes = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`a${i}`, "v"]));
    const Metrics = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`m${i}`, i]));
    const answer = await t.client.send(
      new PutEventsCommand({
        ApplicationId: appId,
        EventsRequest: {
          BatchItem: {
            "ep-wide": { Endpoint: {}, Events: { w: { EventType: "x", Timestamp: now, Attributes, Metrics } } },
          },
        },
      }),
    );
    expect(answer.EventsResponse?.Results?.["ep-wide"].EventsItemResponse?.w?.Message).toMatch(/at most 40/);
  });

  it("answers 404 for an unknown app", async () => {
    await expect(
      t.client.send(
        new PutEventsCommand({
          ApplicationId: "no-such-app",
          EventsRequest: { BatchItem: { e: { Endpoint: {}, Events: { a: { EventType: "x", Timestamp: now } } } } },
        }),
      ),
    ).rejects.toBeInstanceOf(NotFoundException);
  });
});
