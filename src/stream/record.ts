/**
 * The event stream record for an event an app reported with PutEvents, in the JSON shape Pinpoint
 * streams to Kinesis (developer guide, "App events": event-streams-data-app.md), plus the `endpoint`
 * and `awsAccountId` members Pinpoint adds to every record. Consumers written against Pinpoint's
 * stream (Athena tables, Lambda processors) read Waymark's records unchanged.
 */
import type { EndpointDemographic, EndpointResponse, Event } from "@aws-sdk/client-pinpoint";

/** The schema version Pinpoint writes on app events. */
export const appEventVersion = "3.0";

export interface EventStreamRecord {
  event_type: string;
  /** When the app says the event happened, Unix milliseconds. */
  event_timestamp: number;
  /** When Waymark received it, Unix milliseconds. */
  arrival_timestamp: number;
  event_version: string;
  application: {
    app_id: string;
    package_name?: string;
    title?: string;
    version_name?: string;
    version_code?: string;
    sdk: { name?: string; version?: string };
  };
  client: { client_id: string };
  device: {
    locale?: { code: string; country?: string; language?: string };
    make?: string;
    model?: string;
    platform: { name?: string; version?: string };
  };
  session: { session_id?: string; start_timestamp?: number; stop_timestamp?: number };
  attributes: Record<string, string>;
  metrics: Record<string, number>;
  /** The endpoint that reported the event, as it stood when the event arrived. */
  endpoint?: EndpointResponse;
  awsAccountId: string;
}

export interface ReportedEvent {
  appId: string;
  awsAccountId: string;
  /** The key of the event in the PutEvents batch: the endpoint that reported it. */
  endpointId: string;
  event: Event;
  arrivalMs: number;
  endpoint?: EndpointResponse;
}

/**
 * Formats one PutEvents event as Pinpoint's stream record. Pure: the caller has validated the event
 * and looked up the endpoint. Members left undefined are absent from the JSON, as unknown values
 * are in Pinpoint's records (`"sdk": {}`, `"session": {}`).
 * @example
 * toEventStreamRecord({ appId, awsAccountId: "123456789012", endpointId: "ep-1",
 *   event: { EventType: "_session.start", Timestamp: "2024-05-01T10:00:00Z" }, arrivalMs: Date.now(), endpoint })
 */
export function toEventStreamRecord(input: ReportedEvent): EventStreamRecord {
  const { event, endpoint } = input;
  const demographic = endpoint?.Demographic ?? {};
  return {
    event_type: event.EventType ?? "",
    // PutEvents has checked the timestamp; arrival time stands in only if a caller did not.
    event_timestamp: epochMs(event.Timestamp) ?? input.arrivalMs,
    arrival_timestamp: input.arrivalMs,
    event_version: appEventVersion,
    application: {
      app_id: input.appId,
      package_name: event.AppPackageName,
      title: event.AppTitle,
      version_name: demographic.AppVersion,
      version_code: event.AppVersionCode,
      sdk: { name: event.SdkName, version: event.ClientSdkVersion },
    },
    client: { client_id: input.endpointId },
    device: toDevice(demographic),
    session: {
      session_id: event.Session?.Id,
      start_timestamp: epochMs(event.Session?.StartTimestamp),
      stop_timestamp: epochMs(event.Session?.StopTimestamp),
    },
    attributes: event.Attributes ?? {},
    metrics: event.Metrics ?? {},
    endpoint,
    awsAccountId: input.awsAccountId,
  };
}

/** The device block Pinpoint derives from the endpoint's Demographic. */
function toDevice(demographic: EndpointDemographic): EventStreamRecord["device"] {
  return {
    locale: demographic.Locale ? toLocale(demographic.Locale) : undefined,
    make: demographic.Make,
    model: demographic.Model,
    platform: { name: demographic.Platform, version: demographic.PlatformVersion },
  };
}

/** `en_US` (or `en-US`) → `{ code: "en_US", country: "US", language: "en" }`. */
function toLocale(code: string): { code: string; country?: string; language?: string } {
  const [language, country] = code.split(/[_-]/);
  return { code, country: country || undefined, language: language || undefined };
}

function epochMs(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}
