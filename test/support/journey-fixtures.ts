/**
 * What the journey API tests share: an app with an email and an SMS template and two segments,
 * and a journey definition that uses every kind of activity.
 */
import {
  CreateAppCommand,
  CreateEmailTemplateCommand,
  CreateSegmentCommand,
  CreateSmsTemplateCommand,
  type PinpointClient,
  type WriteJourneyRequest,
} from "@aws-sdk/client-pinpoint";

export interface JourneyApp {
  appId: string;
  /** Matches nobody, so a published journey has no one to move. */
  audienceId: string;
  powerUsersId: string;
}

export async function journeyApp(client: PinpointClient, name = "Journeys"): Promise<JourneyApp> {
  const app = await client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: name } }));
  const appId = app.ApplicationResponse?.Id ?? "";
  await client
    .send(
      new CreateEmailTemplateCommand({
        TemplateName: "Launch",
        EmailTemplateRequest: { Subject: "New: {{Event.Attributes.feature}}", TextPart: "Try it" },
      }),
    )
    .catch(() => undefined);
  await client
    .send(new CreateSmsTemplateCommand({ TemplateName: "Nudge", SMSTemplateRequest: { Body: "Have a look" } }))
    .catch(() => undefined);
  const segment = async (Name: string, plan: string) =>
    (
      await client.send(
        new CreateSegmentCommand({
          ApplicationId: appId,
          WriteSegmentRequest: {
            Name,
            Dimensions: { Attributes: { Plan: { AttributeType: "INCLUSIVE", Values: [plan] } } },
          },
        }),
      )
    ).SegmentResponse?.Id ?? "";
  return {
    appId,
    audienceId: await segment("Audience", "nobody-has-this"),
    powerUsersId: await segment("Power", "pro"),
  };
}

/**
 * The feature launch, with every kind of activity: an email, a wait, a split on whether
 * the email was opened, an SMS, a split on segment membership, a holdout, a random split and a
 * hand-off to the contact centre. Scheduled far ahead, so nobody enters while the tests run.
 */
export function featureLaunch(app: JourneyApp): WriteJourneyRequest {
  return {
    Name: "Feature launch",
    StartCondition: { SegmentStartCondition: { SegmentId: app.audienceId } },
    StartActivity: "announce",
    Activities: {
      announce: { EMAIL: { TemplateName: "Launch", NextActivity: "wait" } },
      wait: { Wait: { WaitTime: { WaitFor: "P2D" }, NextActivity: "opened" } },
      opened: {
        ConditionalSplit: {
          Condition: {
            Conditions: [
              {
                EventCondition: {
                  MessageActivity: "announce",
                  Dimensions: { EventType: { DimensionType: "INCLUSIVE", Values: ["_email.open"] } },
                },
              },
            ],
          },
          EvaluationWaitTime: { WaitFor: "PT1H" },
          TrueActivity: "power",
          FalseActivity: "nudge",
        },
      },
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
