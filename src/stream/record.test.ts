import type { EndpointResponse } from "@aws-sdk/client-pinpoint";
import { describe, expect, it } from "vitest";
import { toEventStreamRecord } from "./record.js";

/** What a consumer of the stream reads: the record after its JSON round trip. */
const asStreamed = (value: unknown) => JSON.parse(JSON.stringify(value));

const endpoint: EndpointResponse = {
  ApplicationId: "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
  Id: "m3n4o5p6-a1b2-c3d4-e5f6-g7h8i9j0k1l2",
  ChannelType: "GCM",
  Address: "device-token",
  EndpointStatus: "ACTIVE",
  OptOut: "NONE",
  EffectiveDate: "2017-02-24T21:50:00.000Z",
  CreationDate: "2017-02-20T08:00:00.000Z",
  CohortId: "42",
  RequestId: "req-1",
  Demographic: {
    AppVersion: "1.0",
    Locale: "en_US",
    Make: "generic web browser",
    Model: "Unknown",
    Platform: "android",
    PlatformVersion: "10.10",
  },
  Location: { Country: "US", City: "Seattle" },
  Attributes: { Plan: ["gold"] },
  Metrics: { Visits: 3 },
  User: { UserId: "user-1", UserAttributes: { FirstName: ["Ana"] } },
};

describe("the event stream record of a PutEvents event", () => {
  it("is the app event of Pinpoint's developer guide, with the endpoint and the account", () => {
    const record = toEventStreamRecord({
      appId: "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
      awsAccountId: "123456789012",
      endpointId: "m3n4o5p6-a1b2-c3d4-e5f6-g7h8i9j0k1l2",
      arrivalMs: 1487973803515,
      endpoint,
      event: {
        EventType: "_session.stop",
        Timestamp: "2017-02-24T22:03:22.507Z",
        AppPackageName: "main.page",
        AppTitle: "title",
        AppVersionCode: "1",
        SdkName: "aws-sdk-mobile-analytics-js",
        ClientSdkVersion: "0.9.1:2.4.8",
        Session: {
          Id: "f549dea9-1090-945d-c3d1-e4967example",
          StartTimestamp: "2017-02-24T21:53:22.531Z",
          StopTimestamp: "2017-02-24T22:03:22.507Z",
        },
        Attributes: { screen: "home" },
        Metrics: { seconds: 600 },
      },
    });
    expect(asStreamed(record)).toEqual({
      event_type: "_session.stop",
      event_timestamp: 1487973802507,
      arrival_timestamp: 1487973803515,
      event_version: "3.0",
      application: {
        app_id: "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
        package_name: "main.page",
        sdk: { name: "aws-sdk-mobile-analytics-js", version: "0.9.1:2.4.8" },
        title: "title",
        version_name: "1.0",
        version_code: "1",
      },
      client: { client_id: "m3n4o5p6-a1b2-c3d4-e5f6-g7h8i9j0k1l2" },
      device: {
        locale: { code: "en_US", country: "US", language: "en" },
        make: "generic web browser",
        model: "Unknown",
        platform: { name: "android", version: "10.10" },
      },
      session: {
        session_id: "f549dea9-1090-945d-c3d1-e4967example",
        start_timestamp: 1487973202531,
        stop_timestamp: 1487973802507,
      },
      attributes: { screen: "home" },
      metrics: { seconds: 600 },
      endpoint,
      awsAccountId: "123456789012",
    });
  });

  it("keeps the empty blocks Pinpoint writes when the app reported nothing about itself", () => {
    const record = toEventStreamRecord({
      appId: "app",
      awsAccountId: "000000000000",
      endpointId: "ep",
      arrivalMs: 1700000000500,
      event: { EventType: "purchase", Timestamp: "2023-11-14T22:13:20Z" },
    });
    expect(asStreamed(record)).toEqual({
      event_type: "purchase",
      event_timestamp: 1700000000000,
      arrival_timestamp: 1700000000500,
      event_version: "3.0",
      application: { app_id: "app", sdk: {} },
      client: { client_id: "ep" },
      device: { platform: {} },
      session: {},
      attributes: {},
      metrics: {},
      awsAccountId: "000000000000",
    });
  });

  it("reads a locale written with a hyphen or without a country", () => {
    const device = (Locale: string) =>
      toEventStreamRecord({
        appId: "app",
        awsAccountId: "000000000000",
        endpointId: "ep",
        arrivalMs: 0,
        event: { EventType: "e", Timestamp: "2024-01-01T00:00:00Z" },
        endpoint: { Demographic: { Locale } },
      }).device.locale;
    expect(asStreamed(device("pt-BR"))).toEqual({ code: "pt-BR", country: "BR", language: "pt" });
    expect(asStreamed(device("fr"))).toEqual({ code: "fr", language: "fr" });
  });
});
