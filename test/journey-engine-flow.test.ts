import { CreateEmailTemplateCommand, GetJourneyCommand, type SimpleCondition } from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.js";
import { participantPercentile, randomBranch } from "../src/journeys/engine/random-split.js";
import type { JourneyDefinition } from "../src/journeys/model.js";
import { fromJson, toJson } from "../src/store/index.js";
import { emailActivity, enteredByTests, messageEvent, messageEventSplit } from "./support/journey-definitions.js";
import {
  createApp,
  dayMs,
  engineStart,
  enter,
  hourMs,
  journeyMessages,
  metrics,
  openEmail,
  participants,
  planSegment,
  publishJourney,
  putEndpoints,
  settle,
} from "./support/journeys.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";
import { signedFetch } from "./support/signed-fetch.js";

describe.each(databases)("journey flow activities on %s", (kind) => {
  let t: TestServer;
  let appId: string;
  let template: string;
  let proSegment: string;
  const clock = new ManualClock(engineStart);
  const email = (next?: string) => emailActivity(template, next);

  beforeAll(async () => {
    t = await startTestServer(kind, {}, { clock });
    appId = await createApp(t, "Engine flow");
    template = `flow-${kind}-${Date.now()}`;
    await t.client.send(
      new CreateEmailTemplateCommand({
        TemplateName: template,
        EmailTemplateRequest: { Subject: "Hello", HtmlPart: "<html><body><p>Hello {{Id}}</p></body></html>" },
      }),
    );
    proSegment = await planSegment(t, appId, "pro");
    await putEndpoints(
      t,
      appId,
      Array.from({ length: 6 }, (_, i) => ({
        Id: `p${i}`,
        ChannelType: "EMAIL",
        Address: `p${i}@example.com`,
        Attributes: { Plan: [i % 2 === 0 ? "pro" : "free"] },
      })),
    );
  });
  afterAll(() => t.close());

  /** Opens the email the participant was sent, as its mail client would. */
  async function openEmailOf(journeyId: string, endpointId: string) {
    const message = (await journeyMessages(t, journeyId)).find((m) => m.endpointId === endpointId);
    await openEmail(t, message?.content.kind === "email" ? (message.content.htmlBody ?? "") : "");
  }

  it("a Wait holds participants until WaitFor has passed since they arrived, or until WaitUntil", async () => {
    clock.set(engineStart);
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "day",
        Activities: {
          day: { Wait: { WaitTime: { WaitFor: "P1D" }, NextActivity: "until" } },
          until: { Wait: { WaitTime: { WaitUntil: "2026-11-26T09:00:00Z" }, NextActivity: "mail" } },
          mail: email(),
        },
      }),
    );
    await enter(t, appId, journeyId, ["p0"]);
    await settle(t);
    expect((await participants(t, journeyId))[0]).toMatchObject({ activityId: "day", wakeMs: engineStart + dayMs });
    clock.advance(dayMs - 1);
    await settle(t);
    expect((await participants(t, journeyId))[0].activityId).toBe("day");
    clock.advance(1);
    await settle(t);
    expect((await participants(t, journeyId))[0]).toMatchObject({
      activityId: "until",
      wakeMs: Date.parse("2026-11-26T09:00:00Z"),
    });
    expect(await journeyMessages(t, journeyId)).toEqual([]);
    clock.set(Date.parse("2026-11-26T09:00:00Z"));
    await settle(t);
    expect((await journeyMessages(t, journeyId)).map((m) => m.endpointId)).toEqual(["p0"]);
    expect((await participants(t, journeyId))[0]).toMatchObject({ status: "LEFT", wakeMs: null });
    expect(await metrics(t, journeyId)).toMatchObject({ "/ENDPOINT_LEFT": 1, "mail/ENDPOINT_ENTERED": 1 });
  });

  it("an engagement split sends the reminder only to those who did not open the email", async () => {
    clock.set(engineStart);
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "announce",
        Activities: {
          announce: email("opened"),
          opened: messageEventSplit("announce", "_email.open", { wait: "PT2H", yes: "thanks", no: "reminder" }),
          thanks: { Wait: { WaitTime: { WaitFor: "PT1M" } } },
          reminder: email(),
        },
      }),
    );
    await enter(t, appId, journeyId, ["p0", "p1", "p2"]);
    await settle(t);
    expect((await participants(t, journeyId)).map((p) => [p.activityId, p.wakeMs])).toEqual([
      ["opened", engineStart + 2 * hourMs],
      ["opened", engineStart + 2 * hourMs],
      ["opened", engineStart + 2 * hourMs],
    ]);
    await openEmailOf(journeyId, "p1");
    clock.advance(2 * hourMs);
    await settle(t);

    const rows = await participants(t, journeyId);
    expect(rows.map((p) => [p.endpointId, p.activityId])).toEqual([
      ["p0", "reminder"],
      ["p1", "thanks"],
      ["p2", "reminder"],
    ]);
    const reminders = (await journeyMessages(t, journeyId)).filter((m) => m.activityId === "reminder");
    expect(reminders.map((m) => m.endpointId).sort()).toEqual(["p0", "p2"]);
    expect(await metrics(t, journeyId)).toMatchObject({ "opened/Branch_1": 1, "opened/Branch_2": 2 });
  });

  it("segment conditions split on membership now: a SegmentCondition, and SegmentDimensions given inline", async () => {
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "pro",
        Activities: {
          pro: {
            ConditionalSplit: {
              Condition: { Conditions: [{ SegmentCondition: { SegmentId: proSegment } }] },
              TrueActivity: "proWait",
              FalseActivity: "inline",
            },
          },
          inline: {
            ConditionalSplit: {
              Condition: {
                Conditions: [
                  { SegmentDimensions: { Attributes: { Plan: { AttributeType: "INCLUSIVE", Values: ["free"] } } } },
                ],
              },
              TrueActivity: "freeWait",
            },
          },
          proWait: { Wait: { WaitTime: { WaitFor: "PT1M" } } },
          freeWait: { Wait: { WaitTime: { WaitFor: "PT1M" } } },
        },
      }),
    );
    await enter(t, appId, journeyId, ["p0", "p1", "p2", "p3"]);
    await settle(t);
    expect((await participants(t, journeyId)).map((p) => [p.endpointId, p.activityId])).toEqual([
      ["p0", "proWait"],
      ["p1", "freeWait"],
      ["p2", "proWait"],
      ["p3", "freeWait"],
    ]);
    expect(await metrics(t, journeyId)).toMatchObject({ "pro/Branch_1": 2, "pro/Branch_2": 2, "inline/Branch_1": 2 });
  });

  it("segment dimensions in the SDK's spelling are saved in Pinpoint's, and a row saved in the SDK's still splits", async () => {
    const free = { Attributes: { Plan: { AttributeType: "INCLUSIVE", Values: ["free"] } } };
    const definition = (dimensions: Record<string, unknown>) =>
      enteredByTests({
        StartActivity: "inline",
        Activities: {
          inline: {
            ConditionalSplit: {
              Condition: { Conditions: [dimensions as SimpleCondition] },
              TrueActivity: "freeWait",
              FalseActivity: "proWait",
            },
          },
          freeWait: { Wait: { WaitTime: { WaitFor: "PT1M" } } },
          proWait: { Wait: { WaitTime: { WaitFor: "PT1M" } } },
        },
      });
    // JSON written by hand, with the member as the SDK's types name it.
    const created = await signedFetch(
      t.url,
      "POST",
      `/v1/apps/${appId}/journeys`,
      JSON.stringify({ ...definition({ SegmentDimensions: free }), State: "ACTIVE" }),
    );
    expect(created.status).toBe(201);
    const journeyId = String(created.json.Id);
    const { db } = t.server.services.store;
    const stored = async (id: string) =>
      (await db.selectFrom("journeys").select("definition").where("id", "=", id).executeTakeFirstOrThrow()).definition;
    expect(
      fromJson<JourneyDefinition>(await stored(journeyId)).Activities?.inline.ConditionalSplit?.Condition?.Conditions,
    ).toEqual([{ segmentDimensions: free }]);
    const read = await t.client.send(new GetJourneyCommand({ ApplicationId: appId, JourneyId: journeyId }));
    expect(read.JourneyResponse?.Activities?.inline.ConditionalSplit?.Condition?.Conditions).toEqual([
      { SegmentDimensions: free },
    ]);

    // A row saved before definitions were respelt on the way in.
    const older = await publishJourney(t, appId, definition({ SegmentDimensions: free }));
    await db
      .updateTable("journeys")
      .set({ definition: toJson(definition({ SegmentDimensions: free })) })
      .where("id", "=", older)
      .execute();
    for (const id of [journeyId, older]) {
      await enter(t, appId, id, ["p0", "p1"]);
      await settle(t);
      expect((await participants(t, id)).map((p) => [p.endpointId, p.activityId])).toEqual([
        ["p0", "proWait"],
        ["p1", "freeWait"],
      ]);
    }
  });

  it("MultiCondition takes the first branch whose condition holds, else the default", async () => {
    clock.set(engineStart);
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "announce",
        Activities: {
          announce: email("route"),
          route: {
            MultiCondition: {
              EvaluationWaitTime: { WaitFor: "PT1H" },
              Branches: [
                { Condition: messageEvent("announce", "_email.open"), NextActivity: "opener" },
                { Condition: { SegmentCondition: { SegmentId: proSegment } }, NextActivity: "pro" },
              ],
              DefaultActivity: "rest",
            },
          },
          opener: { Wait: { WaitTime: { WaitFor: "PT1M" } } },
          pro: { Wait: { WaitTime: { WaitFor: "PT1M" } } },
          rest: { Wait: { WaitTime: { WaitFor: "PT1M" } } },
        },
      }),
    );
    await enter(t, appId, journeyId, ["p0", "p1", "p2", "p3"]);
    await settle(t);
    // p2 is a pro user and opens: the first branch wins.
    await openEmailOf(journeyId, "p2");
    await openEmailOf(journeyId, "p3");
    clock.advance(hourMs);
    await settle(t);
    expect((await participants(t, journeyId)).map((p) => [p.endpointId, p.activityId])).toEqual([
      ["p0", "pro"],
      ["p1", "rest"],
      ["p2", "opener"],
      ["p3", "opener"],
    ]);
    expect(await metrics(t, journeyId)).toMatchObject({
      "route/Branch_1": 2,
      "route/Branch_2": 1,
      "route/Branch_3": 1,
    });
  });

  it("RandomSplit and Holdout decide by participant id, so a participant always takes the same branch", async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `r${i}`);
    await putEndpoints(
      t,
      appId,
      ids.map((Id) => ({ Id, ChannelType: "EMAIL", Address: `${Id}@example.com` })),
    );
    const branches = [
      { Percentage: 30, NextActivity: "a" },
      { Percentage: 70, NextActivity: "b" },
    ];
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "holdout",
        Activities: {
          holdout: { Holdout: { Percentage: 25, NextActivity: "split" } },
          split: { RandomSplit: { Branches: branches } },
          a: { Wait: { WaitTime: { WaitFor: "PT1M" } } },
          b: { Wait: { WaitTime: { WaitFor: "PT1M" } } },
        },
      }),
    );
    await enter(t, appId, journeyId, ids);
    await settle(t);
    const rows = await participants(t, journeyId);
    const heldOut = rows.filter((p) => participantPercentile(p.id, "holdout") < 25);
    expect(heldOut.length).toBeGreaterThan(0);
    expect(heldOut.length).toBeLessThan(rows.length);
    for (const p of rows) {
      if (heldOut.includes(p)) expect(p.status).toBe("LEFT");
      else expect(p.activityId).toBe(["a", "b"][randomBranch(branches, participantPercentile(p.id, "split"))]);
    }
    const counted = await metrics(t, journeyId);
    expect(counted["holdout/HOLDOUT"]).toBe(heldOut.length);
    expect(counted["split/Branch_1"] + counted["split/Branch_2"]).toBe(rows.length - heldOut.length);
    expect(counted["split/Branch_1"]).toBe(rows.filter((p) => p.activityId === "a").length);
  });

  it("ContactCenter records the hand-off as the endpoint's event and goes on; the end of a path leaves", async () => {
    const journeyId = await publishJourney(
      t,
      appId,
      enteredByTests({
        StartActivity: "handoff",
        Activities: { handoff: { ContactCenter: { NextActivity: "after" } }, after: email() },
      }),
    );
    await enter(t, appId, journeyId, ["p4"]);
    await settle(t);
    const events = await t.server.services.store.db
      .selectFrom("events")
      .select(["endpoint_id", "event_type"])
      .where("app_id", "=", appId)
      .where("event_type", "=", "_journey.contact_center")
      .execute();
    expect(events).toEqual([{ endpoint_id: "p4", event_type: "_journey.contact_center" }]);
    expect((await journeyMessages(t, journeyId)).map((m) => m.activityId)).toEqual(["after"]);
    expect(await metrics(t, journeyId)).toMatchObject({
      "handoff/HANDED_OFF": 1,
      "after/ENDPOINT_ENTERED": 1,
      "/ENDPOINT_LEFT": 1,
    });
    expect((await participants(t, journeyId))[0]).toMatchObject({ status: "LEFT", wakeMs: null });
  });
});
