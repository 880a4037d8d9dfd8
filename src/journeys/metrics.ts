/**
 * Reading execution metrics (GetJourneyExecutionMetrics, GetJourneyExecutionActivityMetrics and
 * their per-run forms) from the counters the engine and triggers keep in journey_metrics
 * (metrics-store.ts). Values are strings, as Pinpoint's Metrics map is; a journey's figures sum
 * its runs. ENDPOINT_ACTIVE is not counted but derived: those who entered and have not yet left
 * or been cancelled.
 */
import type {
  JourneyExecutionActivityMetricsResponse,
  JourneyExecutionMetricsResponse,
  JourneyRunExecutionActivityMetricsResponse,
  JourneyRunExecutionMetricsResponse,
} from "@aws-sdk/client-pinpoint";
import type { Kysely } from "kysely";
import { notFound } from "../api/errors.js";
import type { Services } from "../services.js";
import type { Database } from "../store/index.js";
import { activityType, type Journey } from "./model.js";
import { requireJourney } from "./queries.js";
import { requireRun } from "./runs.js";

interface Counters {
  values: Record<string, number>;
  /** When any of them last changed. */
  updatedMs?: number;
}

/** The counters of one activity ("" for the journey), of one run or summed over all of them. */
async function readCounters(
  db: Kysely<Database>,
  appId: string,
  journeyId: string,
  activityId: string,
  runId?: string,
): Promise<Counters> {
  const rows = await db
    .selectFrom("journey_metrics")
    .select((eb) => ["metric", eb.fn.sum<number>("value").as("value"), eb.fn.max("updated_ms").as("updated_ms")])
    .where("journey_id", "=", journeyId)
    .$if(runId !== undefined, (q) => q.where("run_id", "=", runId as string))
    .where("activity_id", "=", activityId)
    .where("app_id", "=", appId)
    .groupBy("metric")
    .execute();
  const counters: Counters = { values: {} };
  for (const row of rows) {
    // PostgreSQL's sum of a bigint is a numeric, which its driver hands over as text.
    counters.values[row.metric] = Number(row.value);
    counters.updatedMs = Math.max(counters.updatedMs ?? 0, Number(row.updated_ms));
  }
  return counters;
}

/** The journey-level metrics as Pinpoint's map of strings, with ENDPOINT_ACTIVE derived. */
function journeyMetricMap({ values }: Counters): Record<string, string> {
  const count = (metric: string) => values[metric] ?? 0;
  const active = Math.max(0, count("ENDPOINT_ENTERED") - count("ENDPOINT_LEFT") - count("CANCELLED"));
  return { ...stringMap(values), ENDPOINT_ACTIVE: String(active) };
}

function stringMap(values: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([metric, value]) => [metric, String(value)]));
}

function lastEvaluated(journey: Journey, counters: Counters): string {
  return counters.updatedMs === undefined ? journey.lastModifiedDate : new Date(counters.updatedMs).toISOString();
}

/** The activity's type, or Pinpoint's 404 when the journey has no such activity. */
function requireActivityType(journey: Journey, activityId: string) {
  const activity = journey.definition.Activities?.[activityId];
  if (!activity) throw notFound(`Journey ${journey.id} has no activity ${activityId}`);
  return activityType(activity);
}

/** GetJourneyExecutionMetrics. @example (await journeyExecutionMetrics(services, appId, journeyId)).Metrics // { ENDPOINT_ENTERED: "8", ENDPOINT_ACTIVE: "5", ... } */
export async function journeyExecutionMetrics(
  services: Services,
  appId: string,
  journeyId: string,
): Promise<JourneyExecutionMetricsResponse> {
  const journey = await requireJourney(services.store.db, appId, journeyId);
  const counters = await readCounters(services.store.db, appId, journeyId, "");
  return {
    ApplicationId: appId,
    JourneyId: journeyId,
    LastEvaluatedTime: lastEvaluated(journey, counters),
    Metrics: journeyMetricMap(counters),
  };
}

/** GetJourneyExecutionActivityMetrics. @example await journeyActivityMetrics(services, appId, journeyId, "announce") */
export async function journeyActivityMetrics(
  services: Services,
  appId: string,
  journeyId: string,
  activityId: string,
): Promise<JourneyExecutionActivityMetricsResponse> {
  const journey = await requireJourney(services.store.db, appId, journeyId);
  const type = requireActivityType(journey, activityId);
  const counters = await readCounters(services.store.db, appId, journeyId, activityId);
  return {
    ActivityType: type,
    ApplicationId: appId,
    JourneyActivityId: activityId,
    JourneyId: journeyId,
    LastEvaluatedTime: lastEvaluated(journey, counters),
    Metrics: stringMap(counters.values),
  };
}

/** GetJourneyRunExecutionMetrics. @example await journeyRunMetrics(services, appId, journeyId, runId) */
export async function journeyRunMetrics(
  services: Services,
  appId: string,
  journeyId: string,
  runId: string,
): Promise<JourneyRunExecutionMetricsResponse> {
  const { db } = services.store;
  const journey = await requireJourney(db, appId, journeyId);
  await requireRun(db, appId, journeyId, runId);
  const counters = await readCounters(db, appId, journeyId, "", runId);
  return {
    ApplicationId: appId,
    JourneyId: journeyId,
    RunId: runId,
    LastEvaluatedTime: lastEvaluated(journey, counters),
    Metrics: journeyMetricMap(counters),
  };
}

/** GetJourneyRunExecutionActivityMetrics. @example await journeyRunActivityMetrics(services, appId, journeyId, runId, "announce") */
export async function journeyRunActivityMetrics(
  services: Services,
  appId: string,
  journeyId: string,
  runId: string,
  activityId: string,
): Promise<JourneyRunExecutionActivityMetricsResponse> {
  const { db } = services.store;
  const journey = await requireJourney(db, appId, journeyId);
  const type = requireActivityType(journey, activityId);
  await requireRun(db, appId, journeyId, runId);
  const counters = await readCounters(db, appId, journeyId, activityId, runId);
  return {
    ActivityType: type,
    ApplicationId: appId,
    JourneyActivityId: activityId,
    JourneyId: journeyId,
    RunId: runId,
    LastEvaluatedTime: lastEvaluated(journey, counters),
    Metrics: stringMap(counters.values),
  };
}
