/** Journeys: definitions, state, runs, execution metrics and engagement KPIs. */
import type { JourneyStateRequest, WriteJourneyRequest } from "@aws-sdk/client-pinpoint";
import {
  createJourney,
  deleteJourney,
  getJourney,
  journeyActivityMetrics,
  journeyDateRangeKpi,
  journeyExecutionMetrics,
  journeyRunActivityMetrics,
  journeyRunMetrics,
  journeyRuns,
  listJourneys,
  updateJourney,
  updateJourneyState,
} from "../journeys/index.js";
import { readPage } from "../paging.js";
import { type Handlers, member } from "./handler.js";

export const journeyHandlers: Handlers = {
  CreateJourney: (input, { services }) =>
    createJourney(services, member(input, "ApplicationId"), member<WriteJourneyRequest>(input, "WriteJourneyRequest")),
  GetJourney: (input, { services }) => getJourney(services, member(input, "ApplicationId"), member(input, "JourneyId")),
  UpdateJourney: (input, { services }) =>
    updateJourney(
      services,
      member(input, "ApplicationId"),
      member(input, "JourneyId"),
      member<WriteJourneyRequest>(input, "WriteJourneyRequest"),
    ),
  UpdateJourneyState: (input, { services }) =>
    updateJourneyState(
      services,
      member(input, "ApplicationId"),
      member(input, "JourneyId"),
      member<JourneyStateRequest>(input, "JourneyStateRequest"),
    ),
  DeleteJourney: (input, { services }) =>
    deleteJourney(services, member(input, "ApplicationId"), member(input, "JourneyId")),
  ListJourneys: (input, { services }) =>
    listJourneys(services, member(input, "ApplicationId"), readPage(input.PageSize, input.Token)),
  // Pinpoint ignores page-size and next-token on execution metrics: a journey's metrics are one map.
  GetJourneyExecutionMetrics: (input, { services }) =>
    journeyExecutionMetrics(services, member(input, "ApplicationId"), member(input, "JourneyId")),
  GetJourneyExecutionActivityMetrics: (input, { services }) =>
    journeyActivityMetrics(
      services,
      member(input, "ApplicationId"),
      member(input, "JourneyId"),
      member(input, "JourneyActivityId"),
    ),
  GetJourneyRuns: (input, { services }) =>
    journeyRuns(
      services,
      member(input, "ApplicationId"),
      member(input, "JourneyId"),
      readPage(input.PageSize, input.Token),
    ),
  GetJourneyRunExecutionMetrics: (input, { services }) =>
    journeyRunMetrics(services, member(input, "ApplicationId"), member(input, "JourneyId"), member(input, "RunId")),
  GetJourneyRunExecutionActivityMetrics: (input, { services }) =>
    journeyRunActivityMetrics(
      services,
      member(input, "ApplicationId"),
      member(input, "JourneyId"),
      member(input, "RunId"),
      member(input, "JourneyActivityId"),
    ),
  GetJourneyDateRangeKpi: (input, { services }) =>
    journeyDateRangeKpi(
      services,
      member(input, "ApplicationId"),
      member(input, "JourneyId"),
      member(input, "KpiName"),
      {
        startTime: input.StartTime,
        endTime: input.EndTime,
      },
    ),
};
