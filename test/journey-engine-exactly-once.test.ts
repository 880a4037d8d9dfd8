import { CreateEmailTemplateCommand } from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.js";
import { runDueParticipants } from "../src/journeys/engine/run-due.js";
import { emailActivity, enteredByTests } from "./support/journey-definitions.js";
import {
  createApp,
  engineStart,
  enter,
  hourMs,
  journeyMessages,
  participants,
  publishJourney,
  putEndpoints,
  setJourneyState,
  settle,
} from "./support/journeys.js";
import { pollUntil } from "./support/poll.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

describe.each(databases)("journey sends on %s: once, and only while the journey runs", (kind) => {
  let t: TestServer;
  let appId: string;
  let template: string;
  const clock = new ManualClock(engineStart);
  const ids = Array.from({ length: 200 }, (_, i) => `e${i}`);
  const waitThenEmail = () =>
    enteredByTests({
      StartActivity: "wait",
      Activities: {
        wait: { Wait: { WaitTime: { WaitFor: "PT1H" }, NextActivity: "announce" } },
        announce: emailActivity(template),
      },
    });
  const sandboxCount = async (messageIds: string[]) =>
    (
      await t.server.services.store.db
        .selectFrom("sandbox_messages")
        .select("message_id")
        .where("message_id", "in", messageIds)
        .execute()
    ).length;

  beforeAll(async () => {
    t = await startTestServer(kind, {}, { clock });
    appId = await createApp(t, "Engine exactly once");
    template = `once-${kind}-${Date.now()}`;
    await t.client.send(
      new CreateEmailTemplateCommand({
        TemplateName: template,
        EmailTemplateRequest: { Subject: "Hello", TextPart: "Hello {{Id}}" },
      }),
    );
    await putEndpoints(
      t,
      appId,
      ids.map((Id) => ({ Id, ChannelType: "EMAIL", Address: `${Id}@example.com` })),
    );
  });
  afterAll(() => t.close());

  it("pausing stops sends at once; resuming goes on from where each participant was", async () => {
    clock.set(engineStart);
    const journeyId = await publishJourney(t, appId, waitThenEmail());
    await enter(t, appId, journeyId, ids.slice(0, 3));
    await settle(t);
    await setJourneyState(t, appId, journeyId, "PAUSED");
    clock.advance(hourMs);
    expect(await runDueParticipants(t.server.services)).toBe(0);
    expect(await journeyMessages(t, journeyId)).toEqual([]);
    expect((await participants(t, journeyId)).map((p) => p.activityId)).toEqual(["wait", "wait", "wait"]);

    await setJourneyState(t, appId, journeyId, "ACTIVE");
    await settle(t);
    expect((await journeyMessages(t, journeyId)).map((m) => m.endpointId).sort()).toEqual(ids.slice(0, 3).sort());
  });

  it("cancelling ends every participant, and nobody is sent anything after", async () => {
    clock.set(engineStart);
    const journeyId = await publishJourney(t, appId, waitThenEmail());
    await enter(t, appId, journeyId, ids.slice(0, 3));
    await settle(t);
    await setJourneyState(t, appId, journeyId, "CANCELLED");
    clock.advance(hourMs);
    await settle(t);
    expect((await participants(t, journeyId)).map((p) => [p.status, p.wakeMs])).toEqual([
      ["CANCELLED", null],
      ["CANCELLED", null],
      ["CANCELLED", null],
    ]);
    expect(await journeyMessages(t, journeyId)).toEqual([]);
  });

  it("a batch run again over participants whose rows were lost sends nothing twice", async () => {
    clock.set(engineStart);
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "announce",
        Activities: {
          announce: emailActivity(template, "wait"),
          wait: { Wait: { WaitTime: { WaitFor: "PT1H" } } },
        },
      }),
    );
    await enter(t, appId, journeyId, ids.slice(0, 5));
    await settle(t);
    const first = (await journeyMessages(t, journeyId)).map((m) => m.id);
    expect(first).toHaveLength(5);

    // As if the batch's participant writes had been lost after its messages were queued: the rows
    // are as the trigger wrote them.
    await t.server.services.store.db
      .updateTable("journey_participants")
      .set({
        status: "ENTERING",
        activity_id: "",
        step: 0,
        wake_ms: clock.now(),
        messages: "{}",
        sent_total: 0,
        sent_day_start_ms: 0,
        sent_today: 0,
      })
      .where("journey_id", "=", journeyId)
      .execute();
    await settle(t);
    expect((await journeyMessages(t, journeyId)).map((m) => m.id)).toEqual(first);
    const rows = await participants(t, journeyId);
    expect(rows.map((p) => p.messages.announce).sort()).toEqual([...first].sort());
    expect(rows.every((p) => p.activityId === "wait")).toBe(true);
    await pollUntil(
      () => sandboxCount(first),
      (n) => n === 5,
      { what: "the five emails in the sandbox" },
    );
  });

  it("a participant the engine fails on is set aside, and the others go on", async () => {
    clock.set(engineStart);
    const good = await publishJourney(t, appId, waitThenEmail());
    // A definition validation would refuse (a WaitFor that is no duration), written as if it had slipped through.
    const broken = `broken-${kind}`;
    const definition = {
      ...waitThenEmail(),
      StartActivity: "wait",
      Activities: { wait: { Wait: { WaitTime: { WaitFor: "soon" } } } },
    };
    const { db } = t.server.services.store;
    await db
      .insertInto("journeys")
      .values({
        app_id: appId,
        id: broken,
        name: "Broken",
        state: "ACTIVE",
        trigger: "EVENT",
        definition: JSON.stringify(definition),
        version: 1,
        creation_date: new Date(engineStart).toISOString(),
        last_modified_date: new Date(engineStart).toISOString(),
        tags: "{}",
        activated_ms: engineStart,
        next_check_ms: null,
      })
      .execute();
    await enter(t, appId, broken, ["e0"]);
    await enter(t, appId, good, ["e1", "e2"]);
    t.server.services.wake.journeys();
    await pollUntil(
      () => participants(t, good),
      (rows) => rows.every((p) => p.activityId === "wait"),
      { what: "the good journey's participants at their wait" },
    );
    const [stuck] = await pollUntil(
      () => participants(t, broken),
      (rows) => (rows[0]?.wakeMs ?? 0) > clock.now(),
      { what: "the failing participant set aside" },
    );
    expect(stuck).toMatchObject({ status: "ENTERING", wakeMs: clock.now() + 10 * 60_000 });
  });

  it("batches running at once never take the same participant", async () => {
    clock.set(engineStart);
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "announce",
        Activities: {
          announce: emailActivity(template),
        },
      }),
    );
    await enter(t, appId, journeyId, ids);
    const taken = await Promise.all(
      Array.from({ length: 4 }, () => runDueParticipants(t.server.services, { limit: 60 })),
    );
    await settle(t);
    expect(taken.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(ids.length);
    const sent = await journeyMessages(t, journeyId);
    expect(sent.map((m) => m.endpointId).sort()).toEqual([...ids].sort());
    expect((await participants(t, journeyId)).every((p) => p.status === "LEFT")).toBe(true);
  });
});
