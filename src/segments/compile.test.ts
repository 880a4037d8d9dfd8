import type { SegmentDimensions, SegmentGroup } from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databases, freshDatabase, type TestDatabase } from "../../test/support/server.js";
import { type EndpointUpdate, upsertEndpoints } from "../endpoints/index.js";
import { openStore, type Store, toJson } from "../store/index.js";
import { definitionCondition, type SegmentContext } from "./compile.js";
import { type ResolvedSource, type SegmentDefinition, sourceKey } from "./model.js";

const appId = "app-compile";
const now = new Date("2026-06-15T12:00:00.000Z");

/** Five endpoints, each criterion below picking a different set of them. */
const fixtures: EndpointUpdate[] = [
  {
    Id: "e1",
    ChannelType: "EMAIL",
    Address: "e1@example.com",
    Attributes: { Plan: ["gold"], Interests: ["books", "music"], Signup: ["2026-01-10T08:00:00Z"] },
    User: { UserId: "u1", UserAttributes: { Tier: ["vip"] } },
    Metrics: { purchases: 5 },
    Demographic: { Platform: "iOS", Make: "Apple", Model: "iPhone", AppVersion: "2.1" },
    Location: { Country: "FR", City: "Paris", Latitude: 48.8566, Longitude: 2.3522 },
    EffectiveDate: "2026-06-15T06:00:00.000Z",
  },
  {
    Id: "e2",
    ChannelType: "SMS",
    Address: "+33600000002",
    Attributes: { Plan: ["free"], Interests: ["film"], Signup: ["2026-03-01T09:30:00.250Z"] },
    Metrics: { purchases: 0 },
    Demographic: { Platform: "Android", Make: "Samsung", Model: "Galaxy", AppVersion: "2.0" },
    Location: { Country: "DE", City: "Berlin", Latitude: 52.52, Longitude: 13.405 },
    EffectiveDate: "2026-06-10T12:00:00.000Z",
  },
  {
    Id: "e3",
    ChannelType: "EMAIL",
    Address: "e3@example.com",
    Attributes: { Plan: ["platinum"] },
    Demographic: { Platform: "iOS" },
    Location: { Country: "FR", City: "Lyon", Latitude: 45.764, Longitude: 4.8357 },
    EffectiveDate: "2026-05-01T00:00:00.000Z",
  },
  {
    Id: "e4",
    ChannelType: "GCM",
    Address: "token-4",
    Attributes: { Plan: ["gold"], Interests: ["new york"], Signup: ["not a date"], Odd: ["a\x1fb", "100%"] },
    Metrics: { purchases: 12 },
    Location: { Country: "US", City: "New York", Latitude: 40.7128, Longitude: -74.006 },
    EffectiveDate: "2026-06-14T13:00:00.000Z",
  },
  { Id: "e5", ChannelType: "EMAIL", Address: "e5@example.com", EffectiveDate: "2026-06-02T00:00:00.000Z" },
];

const sources = new Map<string, ResolvedSource>([
  [
    sourceKey("gold"),
    { segmentType: "DIMENSIONAL", definition: { Dimensions: { Attributes: { Plan: { Values: ["gold"] } } } } },
  ],
  [
    sourceKey("france"),
    { segmentType: "DIMENSIONAL", definition: { Dimensions: { Location: { Country: { Values: ["FR"] } } } } },
  ],
  [
    sourceKey("gold-in-france"),
    {
      segmentType: "DIMENSIONAL",
      definition: {
        SegmentGroups: { Groups: [{ SourceSegments: [{ Id: "gold" }, { Id: "france" }], SourceType: "ALL" }] },
      },
    },
  ],
  [sourceKey("imported"), { segmentType: "IMPORT", id: "imported" }],
]);

const dimensionCases: Array<[string, SegmentDimensions, string[]]> = [
  ["an attribute, INCLUSIVE", { Attributes: { Plan: { AttributeType: "INCLUSIVE", Values: ["gold"] } } }, ["e1", "e4"]],
  ["an attribute, INCLUSIVE by default", { Attributes: { Plan: { Values: ["gold", "free"] } } }, ["e1", "e2", "e4"]],
  [
    "an attribute, EXCLUSIVE",
    { Attributes: { Plan: { AttributeType: "EXCLUSIVE", Values: ["gold"] } } },
    ["e2", "e3", "e5"],
  ],
  [
    "an attribute, CONTAINS",
    { Attributes: { Interests: { AttributeType: "CONTAINS", Values: ["oo", "ew"] } } },
    ["e1", "e4"],
  ],
  [
    "CONTAINS, in that attribute only",
    { Attributes: { Interests: { AttributeType: "CONTAINS", Values: ["gold"] } } },
    [],
  ],
  [
    "CONTAINS, a separator or escape character",
    { Attributes: { Odd: { AttributeType: "CONTAINS", Values: ["0%", "\x1f"] } } },
    ["e4"],
  ],
  ["CONTAINS is case-sensitive", { Attributes: { Interests: { AttributeType: "CONTAINS", Values: ["BOOK"] } } }, []],
  ["a date BEFORE", { Attributes: { Signup: { AttributeType: "BEFORE", Values: ["2026-02-01T00:00:00Z"] } } }, ["e1"]],
  ["a date AFTER", { Attributes: { Signup: { AttributeType: "AFTER", Values: ["2026-02-01T00:00:00Z"] } } }, ["e2"]],
  [
    "a date ON, whatever the time",
    { Attributes: { Signup: { AttributeType: "ON", Values: ["2026-03-01T23:00:00Z"] } } },
    ["e2"],
  ],
  [
    "a date BETWEEN",
    {
      Attributes: {
        Signup: { AttributeType: "BETWEEN", Values: ["2026-01-01T00:00:00Z", "2026-01-31T00:00:00+02:00"] },
      },
    },
    ["e1"],
  ],
  ["separator characters in values", { Attributes: { Odd: { Values: ["a\x1fb", "100%"] } } }, ["e4"]],
  ["part of an escaped value", { Attributes: { Odd: { Values: ["a", "100"] } } }, []],
  ["a user attribute", { UserAttributes: { Tier: { Values: ["vip"] } } }, ["e1"]],
  ["a metric GREATER_THAN", { Metrics: { purchases: { ComparisonOperator: "GREATER_THAN", Value: 1 } } }, ["e1", "e4"]],
  ["a metric EQUAL", { Metrics: { purchases: { ComparisonOperator: "EQUAL", Value: 0 } } }, ["e2"]],
  [
    "a metric LESS_THAN_OR_EQUAL",
    { Metrics: { purchases: { ComparisonOperator: "LESS_THAN_OR_EQUAL", Value: 5 } } },
    ["e1", "e2"],
  ],
  ["the platform, INCLUSIVE", { Demographic: { Platform: { Values: ["iOS"] } } }, ["e1", "e3"]],
  [
    "the platform, EXCLUSIVE",
    { Demographic: { Platform: { DimensionType: "EXCLUSIVE", Values: ["iOS"] } } },
    ["e2", "e4", "e5"],
  ],
  ["the make", { Demographic: { Make: { Values: ["Samsung"] } } }, ["e2"]],
  ["the model", { Demographic: { Model: { Values: ["iPhone", "Galaxy"] } } }, ["e1", "e2"]],
  ["the app version", { Demographic: { AppVersion: { Values: ["2.1"] } } }, ["e1"]],
  ["the channel", { Demographic: { Channel: { Values: ["EMAIL"] } } }, ["e1", "e3", "e5"]],
  ["the device type, which endpoints do not carry", { Demographic: { DeviceType: { Values: ["PHONE"] } } }, []],
  ["the country, INCLUSIVE", { Location: { Country: { Values: ["FR"] } } }, ["e1", "e3"]],
  [
    "the country, EXCLUSIVE",
    { Location: { Country: { DimensionType: "EXCLUSIVE", Values: ["FR"] } } },
    ["e2", "e4", "e5"],
  ],
  [
    "100 km around Paris",
    { Location: { GPSPoint: { Coordinates: { Latitude: 48.8566, Longitude: 2.3522 }, RangeInKilometers: 100 } } },
    ["e1"],
  ],
  [
    "500 km around Paris (Lyon is 392 km away, Berlin 878 km)",
    { Location: { GPSPoint: { Coordinates: { Latitude: 48.8566, Longitude: 2.3522 }, RangeInKilometers: 500 } } },
    ["e1", "e3"],
  ],
  [
    "active in the last 24 hours",
    { Behavior: { Recency: { Duration: "HR_24", RecencyType: "ACTIVE" } } },
    ["e1", "e4"],
  ],
  [
    "active in the last 7 days",
    { Behavior: { Recency: { Duration: "DAY_7", RecencyType: "ACTIVE" } } },
    ["e1", "e2", "e4"],
  ],
  ["inactive for 14 days", { Behavior: { Recency: { Duration: "DAY_14", RecencyType: "INACTIVE" } } }, ["e3"]],
  [
    "several criteria, all of which must hold",
    {
      Attributes: { Plan: { Values: ["gold", "platinum"] } },
      Demographic: { Platform: { Values: ["iOS"] } },
      Location: { Country: { Values: ["FR"] } },
    },
    ["e1", "e3"],
  ],
];

const gold: SegmentDimensions = { Attributes: { Plan: { Values: ["gold"] } } };
const ios: SegmentDimensions = { Demographic: { Platform: { Values: ["iOS"] } } };

const groupCases: Array<[string, SegmentDefinition, string[]]> = [
  ["dimensions of a group, ALL", { SegmentGroups: { Groups: [{ Dimensions: [gold, ios], Type: "ALL" }] } }, ["e1"]],
  [
    "dimensions of a group, ANY",
    { SegmentGroups: { Groups: [{ Dimensions: [gold, ios], Type: "ANY" }] } },
    ["e1", "e3", "e4"],
  ],
  [
    "dimensions of a group, NONE",
    { SegmentGroups: { Groups: [{ Dimensions: [gold, ios], Type: "NONE" }] } },
    ["e2", "e5"],
  ],
  [
    "NONE keeps endpoints without the metric",
    {
      SegmentGroups: {
        Groups: [
          { Dimensions: [{ Metrics: { purchases: { ComparisonOperator: "GREATER_THAN", Value: 1 } } }], Type: "NONE" },
        ],
      },
    },
    ["e2", "e3", "e5"],
  ],
  [
    "base segments, ANY",
    { SegmentGroups: { Groups: [{ SourceSegments: [{ Id: "gold" }, { Id: "france" }], SourceType: "ANY" }] } },
    ["e1", "e3", "e4"],
  ],
  [
    "base segments, ALL",
    { SegmentGroups: { Groups: [{ SourceSegments: [{ Id: "gold" }, { Id: "france" }], SourceType: "ALL" }] } },
    ["e1"],
  ],
  [
    "base segments, NONE",
    { SegmentGroups: { Groups: [{ SourceSegments: [{ Id: "gold" }, { Id: "france" }], SourceType: "NONE" }] } },
    ["e2", "e5"],
  ],
  [
    "a base segment built on base segments, filtered",
    { SegmentGroups: { Groups: [{ SourceSegments: [{ Id: "gold-in-france" }], Dimensions: [ios] }] } },
    ["e1"],
  ],
  ["an imported base segment", { SegmentGroups: { Groups: [{ SourceSegments: [{ Id: "imported" }] }] } }, ["e2", "e5"]],
  [
    "an imported base segment, filtered",
    {
      SegmentGroups: {
        Groups: [
          { SourceSegments: [{ Id: "imported" }], Dimensions: [{ Demographic: { Channel: { Values: ["EMAIL"] } } }] },
        ],
      },
    },
    ["e5"],
  ],
];

const groupA: SegmentGroup = { SourceSegments: [{ Id: "gold" }] };
const groupB: SegmentGroup = { Dimensions: [ios] };
const includeCases: Array<[string, string, string[]]> = [
  ["ALL", "ALL", ["e1"]],
  ["ANY", "ANY", ["e1", "e3", "e4"]],
  ["NONE", "NONE", ["e2", "e5"]],
];

describe.each(databases)("segment conditions on %s", (kind) => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await freshDatabase(kind);
    store = openStore(database.url);
    await store.migrate();
    await store.db
      .insertInto("apps")
      .values({ id: appId, name: "compile", creation_date: now.toISOString(), settings: toJson({}), tags: toJson({}) })
      .execute();
    const results = await upsertEndpoints(store.db, store.dialect, appId, fixtures, now);
    expect(results.filter((r) => r.error)).toEqual([]);
    await store.db
      .insertInto("segment_members")
      .values(["e2", "e5"].map((id) => ({ app_id: appId, segment_id: "imported", endpoint_id: id })))
      .execute();
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  async function members(definition: SegmentDefinition): Promise<string[]> {
    const context: SegmentContext = { appId, dialect: store.dialect, now, sources };
    const rows = await store.db
      .selectFrom("endpoint_dimensions")
      .select("endpoint_dimensions.endpoint_id")
      .where("endpoint_dimensions.app_id", "=", appId)
      .where(definitionCondition(definition, context))
      .orderBy("endpoint_dimensions.endpoint_id")
      .execute();
    return rows.map((row) => row.endpoint_id);
  }

  it.each(dimensionCases)("selects by %s", async (_, dimensions, expected) => {
    expect(await members({ Dimensions: dimensions })).toEqual(expected);
  });

  it.each(groupCases)("selects by %s", async (_, definition, expected) => {
    expect(await members(definition)).toEqual(expected);
  });

  it.each(includeCases)("combines segment groups with Include %s", async (_, include, expected) => {
    expect(await members({ SegmentGroups: { Include: include as "ALL", Groups: [groupA, groupB] } })).toEqual(expected);
  });

  it("selects every endpoint with no criteria", async () => {
    expect(await members({})).toEqual(["e1", "e2", "e3", "e4", "e5"]);
  });
});
