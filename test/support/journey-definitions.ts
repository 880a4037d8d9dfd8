/**
 * Journey definitions the journey tests share, as a client writes them (WriteJourneyRequest):
 * pure data, no I/O.
 */
import type { Activity, SimpleCondition, WriteJourneyRequest } from "@aws-sdk/client-pinpoint";

/**
 * The feature launch, with every kind of activity: an email, a wait, a split on whether
 * the email was opened, an SMS, a split on segment membership, a holdout, a random split and a
 * hand-off to the contact centre. Scheduled far ahead, so nobody enters while the tests run.
 */
export function featureLaunch(app: { audienceId: string; powerUsersId: string }): WriteJourneyRequest {
  return {
    Name: "Feature launch",
    StartCondition: { SegmentStartCondition: { SegmentId: app.audienceId } },
    StartActivity: "announce",
    Activities: {
      announce: { EMAIL: { TemplateName: "Launch", NextActivity: "wait" } },
      wait: { Wait: { WaitTime: { WaitFor: "P2D" }, NextActivity: "opened" } },
      opened: messageEventSplit("announce", "_email.open", { wait: "PT1H", yes: "power", no: "nudge" }),
      nudge: { SMS: { TemplateName: "Nudge" } },
      power: {
        MultiCondition: {
          Branches: [{ Condition: { SegmentCondition: { SegmentId: app.powerUsersId } }, NextActivity: "thanks" }],
          DefaultActivity: "holdout",
        },
      },
      thanks: { EMAIL: { TemplateName: "Launch", TemplateVersion: "1" } },
      holdout: { Holdout: { Percentage: 10, NextActivity: "split" } },
      split: { RandomSplit: { Branches: [{ Percentage: 50, NextActivity: "handoff" }, { Percentage: 50 }] } },
      handoff: { ContactCenter: {} },
    },
    Limits: { DailyCap: 3, EndpointReentryCap: 1, TotalCap: 10, TimeframeCap: { Cap: 5, Days: 7 } },
    QuietTime: { Start: "22:00", End: "08:00" },
    Schedule: {
      StartTime: new Date("2031-01-01T00:00:00Z"),
      EndTime: new Date("2031-02-01T00:00:00Z"),
      Timezone: "Europe/Paris",
    },
  };
}

/** The event the tests' broadcasts and event entries carry: `{{Event.Attributes.feature}}` is "Dark mode". */
export const featureRelease = { EventType: "feature_release", Attributes: { feature: "Dark mode" } };

/** An event journey whose filter no event matches: only the entries a test writes reach it. */
export function enteredByTests(definition: Omit<WriteJourneyRequest, "Name" | "StartCondition"> & { Name?: string }) {
  return {
    Name: "Engine test",
    StartCondition: {
      EventStartCondition: {
        EventFilter: {
          FilterType: "ENDPOINT" as const,
          Dimensions: { EventType: { DimensionType: "INCLUSIVE" as const, Values: ["no-such-event"] } },
        },
      },
    },
    ...definition,
  } satisfies WriteJourneyRequest;
}

/** A broadcast-started journey on the segment: by default, a day's wait. */
export function broadcastJourney(segmentId: string, eventTypes: string[], extra: Partial<WriteJourneyRequest> = {}) {
  return {
    Name: "Feature release",
    StartCondition: {
      EventStartCondition: {
        EventFilter: {
          // Waymark's own FilterType; the SDK's type lists only Pinpoint's.
          FilterType: "BROADCAST" as "ENDPOINT",
          Dimensions: { EventType: { DimensionType: "INCLUSIVE" as const, Values: eventTypes } },
        },
        SegmentId: segmentId,
      },
    },
    StartActivity: "pause",
    Activities: { pause: { Wait: { WaitTime: { WaitFor: "P1D" } } } },
    ...extra,
  } satisfies WriteJourneyRequest;
}

/** An EMAIL activity sending the template from news@example.com. */
export function emailActivity(templateName: string, next?: string): Activity {
  return {
    EMAIL: { TemplateName: templateName, MessageConfig: { FromAddress: "news@example.com" }, NextActivity: next },
  };
}

/** Whether the message `messageActivity` sent this participant had an `eventType` event (`_email.open`...). */
export function messageEvent(messageActivity: string, eventType: string): SimpleCondition {
  return {
    EventCondition: {
      MessageActivity: messageActivity,
      Dimensions: { EventType: { DimensionType: "INCLUSIVE", Values: [eventType] } },
    },
  };
}

/** A yes/no split on `messageEvent`, decided `wait` (an ISO 8601 duration) after arrival. */
export function messageEventSplit(
  messageActivity: string,
  eventType: string,
  branches: { wait?: string; yes?: string; no?: string },
): Activity {
  return {
    ConditionalSplit: {
      Condition: { Conditions: [messageEvent(messageActivity, eventType)] },
      ...(branches.wait ? { EvaluationWaitTime: { WaitFor: branches.wait } } : {}),
      ...(branches.yes ? { TrueActivity: branches.yes } : {}),
      ...(branches.no ? { FalseActivity: branches.no } : {}),
    },
  };
}
