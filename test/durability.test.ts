import { CreateAppCommand, GetEndpointCommand, PinpointClient, PutEventsCommand } from "@aws-sdk/client-pinpoint";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/store/index.js";
import { spawnServer } from "./support/process.js";
import { databases, freshDatabase, type TestDatabase, testCredentials } from "./support/server.js";

const client = (url: string) =>
  new PinpointClient({ endpoint: url, region: "us-east-1", credentials: testCredentials, maxAttempts: 1 });

describe.each(databases)("durability on %s", (kind) => {
  const cleanup: TestDatabase[] = [];
  afterAll(async () => {
    for (const database of cleanup) await database.drop();
  });

  it("a kill -9 right after 202s loses no accepted event", async () => {
    const database = await freshDatabase(kind);
    cleanup.push(database);
    const first = await spawnServer(database.url);
    const pinpoint = client(first.url);
    const app = await pinpoint.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "Crash" } }));
    const appId = app.ApplicationResponse?.Id ?? "";

    const acknowledged: string[] = [];
    let stop = false;
    const sender = async (lane: number) => {
      for (let batch = 0; !stop; batch++) {
        const events = Object.fromEntries(
          Array.from({ length: 50 }, (_, i) => [
            `l${lane}-b${batch}-e${i}`,
            { EventType: "tick", Timestamp: new Date().toISOString() },
          ]),
        );
        try {
          const answer = await pinpoint.send(
            new PutEventsCommand({
              ApplicationId: appId,
              EventsRequest: {
                BatchItem: { [`lane-${lane}`]: { Endpoint: { Attributes: { batch: [`${batch}`] } }, Events: events } },
              },
            }),
          );
          const results = answer.EventsResponse?.Results?.[`lane-${lane}`]?.EventsItemResponse ?? {};
          for (const [id, result] of Object.entries(results)) if (result.StatusCode === 202) acknowledged.push(id);
        } catch {
          return; // the server is gone
        }
      }
    };
    const lanes = [0, 1, 2, 3].map(sender);
    while (acknowledged.length < 2000) await new Promise((resolve) => setTimeout(resolve, 5));
    await first.crash();
    stop = true;
    await Promise.all(lanes);
    pinpoint.destroy();

    const store = openStore(database.url);
    const stored = await store.db.selectFrom("events").select("event_id").where("app_id", "=", appId).execute();
    await store.close();
    const storedIds = new Set(stored.map((row) => row.event_id));
    const lost = acknowledged.filter((id) => !storedIds.has(id));
    expect(acknowledged.length).toBeGreaterThanOrEqual(2000);
    expect(lost).toEqual([]);

    // And the server comes back on the same database with the endpoints intact.
    const second = await spawnServer(database.url);
    const again = client(second.url);
    const endpoint = await again.send(new GetEndpointCommand({ ApplicationId: appId, EndpointId: "lane-0" }));
    expect(endpoint.EndpointResponse?.Attributes?.batch).toHaveLength(1);
    again.destroy();
    await second.stop();
  });
});
