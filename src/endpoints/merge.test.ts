import { describe, expect, it } from "vitest";
import { cohortOf, isEmptyUpdate, mergeEndpoint } from "./merge.js";
import { checkEndpointUpdate, checkMergedEndpoint } from "./validate.js";

const now = new Date("2026-11-23T12:00:00.000Z");
const later = new Date("2026-11-24T12:00:00.000Z");

describe("merging an endpoint update", () => {
  const created = mergeEndpoint(
    undefined,
    {
      Id: "e1",
      ChannelType: "EMAIL",
      Address: "a@example.com",
      Attributes: { A: ["1"], B: ["2"] },
      Metrics: { m: 1 },
      User: { UserId: "u", UserAttributes: { F: ["x"] } },
      Location: { City: "Paris", Country: "FR" },
    },
    "app",
    now,
  );

  it("gives a new endpoint Pinpoint's defaults", () => {
    expect(created).toMatchObject({
      ApplicationId: "app",
      OptOut: "NONE",
      EndpointStatus: "ACTIVE",
      CreationDate: now.toISOString(),
      EffectiveDate: now.toISOString(),
      CohortId: cohortOf("e1"),
    });
  });

  it("replaces attributes key by key and keeps the others", () => {
    const merged = mergeEndpoint(
      created,
      { Id: "e1", Attributes: { B: ["3"], C: ["4"] }, Metrics: { n: 2 }, User: { UserAttributes: { G: ["y"] } } },
      "app",
      later,
    );
    expect(merged.Attributes).toEqual({ A: ["1"], B: ["3"], C: ["4"] });
    expect(merged.Metrics).toEqual({ m: 1, n: 2 });
    expect(merged.User).toEqual({ UserId: "u", UserAttributes: { F: ["x"], G: ["y"] } });
  });

  it("replaces location and demographic field by field", () => {
    const merged = mergeEndpoint(created, { Id: "e1", Location: { City: "Lyon" } }, "app", later);
    expect(merged.Location).toEqual({ City: "Lyon", Country: "FR" });
  });

  it("keeps the creation date and cohort, moves the effective date, and reactivates", () => {
    const inactive = { ...created, EndpointStatus: "INACTIVE" };
    const merged = mergeEndpoint(inactive, { Id: "e1", Address: "b@example.com" }, "app", later);
    expect(merged).toMatchObject({
      CreationDate: now.toISOString(),
      EffectiveDate: later.toISOString(),
      CohortId: created.CohortId,
      EndpointStatus: "ACTIVE",
      Address: "b@example.com",
    });
    expect(mergeEndpoint(created, { Id: "e1", EndpointStatus: "INACTIVE" }, "app", later).EndpointStatus).toBe(
      "INACTIVE",
    );
  });

  it("puts every endpoint in a stable cohort from 0 to 99", () => {
    const cohorts = Array.from({ length: 1000 }, (_, i) => Number(cohortOf(`endpoint-${i}`)));
    expect(Math.min(...cohorts)).toBe(0);
    expect(Math.max(...cohorts)).toBe(99);
    expect(cohortOf("endpoint-7")).toBe(cohortOf("endpoint-7"));
  });

  it("knows an update that carries nothing", () => {
    expect(isEmptyUpdate({ Id: "e1" })).toBe(true);
    expect(isEmptyUpdate({ Id: "e1", OptOut: "ALL" })).toBe(false);
  });
});

describe("endpoint validation", () => {
  it("accepts values at Pinpoint's limits and refuses one past them", () => {
    expect(
      checkEndpointUpdate({ Id: "e", Attributes: { ["a".repeat(50)]: Array(50).fill("v".repeat(100)) } }),
    ).toBeUndefined();
    expect(checkEndpointUpdate({ Id: "e", Attributes: { ["a".repeat(51)]: ["v"] } })).toMatch(/1 to 50/);
    expect(checkEndpointUpdate({ Id: "e", Attributes: { a: Array(51).fill("v") } })).toMatch(/limit is 50/);
    expect(checkEndpointUpdate({ Id: "e", Metrics: { m: Number.NaN } })).toMatch(/must be a number/);
    expect(checkEndpointUpdate({ Id: "e", EffectiveDate: "last tuesday" })).toMatch(/ISO 8601/);
    expect(checkEndpointUpdate({ Id: "" })).toMatch(/Id is required/);
  });

  it("counts attributes across Attributes, Metrics and UserAttributes", () => {
    const attributes = (n: number, prefix: string) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, ["v"]]));
    const at = mergeEndpoint(
      undefined,
      {
        Id: "e",
        Attributes: attributes(100, "a"),
        User: { UserAttributes: attributes(100, "u") },
        Metrics: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`m${i}`, i])),
      },
      "app",
      now,
    );
    expect(checkMergedEndpoint(at)).toBeUndefined();
    const over = mergeEndpoint(at, { Id: "e", Metrics: { extra: 1 } }, "app", now);
    expect(checkMergedEndpoint(over)).toMatch(/at most 250 attributes/);
  });
});
