/**
 * The tables, as Kysely sees them. JSON columns hold text on SQLite and jsonb on PostgreSQL;
 * write them with `toJson` and read them with `fromJson` (store/json.ts). Times the API shows are
 * ISO-8601 strings; times the workers compare are epoch milliseconds.
 */
import type { Generated } from "kysely";

/** A JSON document column: written as a string, read back as text (SQLite) or parsed (PostgreSQL). */
export type JsonColumn = unknown;

export interface AppsTable {
  id: string;
  name: string;
  creation_date: string;
  settings: JsonColumn;
  tags: JsonColumn;
}

export interface EndpointsTable {
  app_id: string;
  id: string;
  channel_type: string | null;
  address: string | null;
  user_id: string | null;
  opt_out: string;
  endpoint_status: string;
  effective_date: string;
  creation_date: string;
  cohort_id: string;
  request_id: string | null;
  attributes: JsonColumn;
  metrics: JsonColumn;
  user_attributes: JsonColumn;
  demographic: JsonColumn;
  location: JsonColumn;
}

export interface EventsTable {
  seq: Generated<number>;
  app_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  event_timestamp: string;
  arrival_ms: number;
  /** The event as PutEvents received it (Attributes, Metrics, Session, app and SDK fields). */
  body: JsonColumn;
}

export interface EventStreamsTable {
  app_id: string;
  destination_stream_arn: string;
  role_arn: string;
  external_id: string | null;
  last_modified_date: string;
  last_updated_by: string | null;
}

export interface StreamOutboxTable {
  id: Generated<number>;
  app_id: string;
  destination_stream_arn: string;
  record: JsonColumn;
  attempts: number;
  next_attempt_ms: number;
  last_error: string | null;
}

export interface ChannelsTable {
  app_id: string;
  channel_type: string;
  settings: JsonColumn;
  version: number;
  creation_date: string;
  last_modified_date: string;
}

export interface JobsTable {
  id: Generated<number>;
  task: string;
  payload: JsonColumn;
  run_at_ms: number;
  attempts: number;
  max_attempts: number;
  locked_at_ms: number | null;
  locked_by: string | null;
  last_error: string | null;
}

export interface TransferJobsTable {
  id: string;
  app_id: string;
  type: "IMPORT" | "EXPORT";
  definition: JsonColumn;
  job_status: string;
  creation_date: string;
  completion_date: string | null;
  total_pieces: number;
  completed_pieces: number;
  failed_pieces: number;
  total_processed: number;
  total_failures: number;
  failures: JsonColumn;
  /** Where a resumed run picks up: records already applied, per piece (file). */
  checkpoint: JsonColumn;
}

export interface SegmentsTable {
  app_id: string;
  id: string;
  name: string;
  segment_type: string;
  version: number;
  definition: JsonColumn;
  creation_date: string;
  last_modified_date: string;
  tags: JsonColumn;
}

export interface SegmentMembersTable {
  app_id: string;
  segment_id: string;
  endpoint_id: string;
}

export interface Database {
  apps: AppsTable;
  endpoints: EndpointsTable;
  events: EventsTable;
  event_streams: EventStreamsTable;
  stream_outbox: StreamOutboxTable;
  channels: ChannelsTable;
  jobs: JobsTable;
  transfer_jobs: TransferJobsTable;
  segments: SegmentsTable;
  segment_members: SegmentMembersTable;
  segment_versions: SegmentVersionsTable;
  endpoint_dimensions: EndpointDimensionsTable;
  messages: MessagesTable;
  sandbox_messages: SandboxMessagesTable;
  sender_rates: SenderRatesTable;
  waymark_settings: WaymarkSettingsTable;
  opt_outs: OptOutsTable;
  templates: TemplatesTable;
  template_versions: TemplateVersionsTable;
  otp_codes: OtpCodesTable;
  journeys: JourneysTable;
  journey_runs: JourneyRunsTable;
  journey_participants: JourneyParticipantsTable;
  journey_metrics: JourneyMetricsTable;
  broadcasts: BroadcastsTable;
}

export interface MessagesTable {
  id: string;
  /** What makes a send unique (request and address, or campaign/journey, activity, endpoint, run). */
  send_key: string;
  app_id: string;
  channel: string;
  address: string;
  endpoint_id: string | null;
  /** The origination identity the provider rate limit applies to. */
  sender: string;
  content: JsonColumn;
  origin: JsonColumn;
  context: JsonColumn;
  /** QUEUED, SENDING, or a final DeliveryStatus. */
  status: string;
  status_code: number | null;
  status_message: string | null;
  provider_message_id: string | null;
  attempts: number;
  max_attempts: number;
  /** When the pipeline should look at it next; null once final. */
  next_attempt_ms: number | null;
  created_ms: number;
  updated_ms: number;
}

export interface SandboxMessagesTable {
  seq: Generated<number>;
  message_id: string;
  app_id: string;
  channel: string;
  address: string;
  content: JsonColumn;
  created_ms: number;
}

export interface SenderRatesTable {
  sender: string;
  tokens: number;
  updated_ms: number;
}

export interface WaymarkSettingsTable {
  name: string;
  value: string;
}

/** An address that opted out on a channel without an endpoint to record it on (messages/opt-outs.ts). */
export interface OptOutsTable {
  app_id: string;
  channel: string;
  /** As opt-outs.ts normalises it: email addresses lowercased, others as given. */
  address: string;
  created_ms: number;
}

/** A message template: account-wide, one per (name, type); its content lives in its versions. */
export interface TemplatesTable {
  name: string;
  /** EMAIL, SMS, PUSH, VOICE or INAPP. */
  type: string;
  active_version: number;
  /** The highest version number given out; numbers are never reused. */
  latest_version: number;
  creation_date: string;
  last_modified_date: string;
  tags: JsonColumn;
}

export interface TemplateVersionsTable {
  name: string;
  type: string;
  version: number;
  /** The channel content (Subject, HtmlPart, Body, GCM, Content...), as the request gave it. */
  content: JsonColumn;
  default_substitutions: string | null;
  description: string | null;
  recommender_id: string | null;
  creation_date: string;
  last_modified_date: string;
}

/** A one-time password as VerifyOTPMessage checks it; the code itself is never stored. */
export interface OtpCodesTable {
  app_id: string;
  /** The phone number the code was sent to, in E.164 form. */
  destination_identity: string;
  /** The caller's ReferenceId; a new code for the same destination and reference replaces the old one. */
  reference_id: string;
  /** Base64 scrypt salt and hash of the code (messages/otp/code.ts). */
  code_salt: string;
  code_hash: string;
  expires_ms: number;
  /** Wrong tries left; at 0 the code is no longer accepted. */
  attempts_left: number;
  /** 1 once the code was verified: a code is valid once. */
  used: number;
  message_id: string;
  created_ms: number;
}

/** A segment's earlier versions; the current one is its row in `segments`. */
export interface SegmentVersionsTable {
  app_id: string;
  segment_id: string;
  version: number;
  name: string;
  segment_type: string;
  definition: JsonColumn;
  last_modified_date: string;
}

/**
 * Each endpoint as segments read it, one row per endpoint, written with the endpoint
 * (segments/endpoint-dimensions.ts says what each column holds and why the table exists).
 */
export interface EndpointDimensionsTable {
  app_id: string;
  endpoint_id: string;
  channel_type: string | null;
  platform: string | null;
  make: string | null;
  model: string | null;
  app_version: string | null;
  device_type: string | null;
  country: string | null;
  terms: string;
  term_bits: number;
  active_ms: number;
  latitude: number | null;
  longitude: number | null;
  metrics: JsonColumn;
  instants: JsonColumn;
}

/** A journey: its definition is Pinpoint's WriteJourneyRequest as stored (journeys/model.ts). */
export interface JourneysTable {
  app_id: string;
  id: string;
  name: string;
  /** DRAFT, ACTIVE, PAUSED, COMPLETED, CANCELLED or CLOSED. */
  state: string;
  /** How participants enter: SEGMENT, EVENT or BROADCAST (journeys/model.ts `journeyTrigger`). */
  trigger: string;
  definition: JsonColumn;
  version: number;
  creation_date: string;
  last_modified_date: string;
  tags: JsonColumn;
  /** When it was first published (State ACTIVE). */
  activated_ms: number | null;
  /** When the scheduler should next look at it (a run to start, a refresh, an end time); null for never. */
  next_check_ms: number | null;
}

/** One run of a journey: a segment evaluation (one-time or each refresh), a broadcast, or the event-entry run. */
export interface JourneyRunsTable {
  app_id: string;
  journey_id: string;
  run_id: string;
  /** SCHEDULED, RUNNING, COMPLETED or CANCELLED, as GetJourneyRuns reports them. */
  status: string;
  broadcast_id: string | null;
  segment_version: number | null;
  /** Fan-out checkpoint: the last endpoint id entered from the segment. */
  cursor: string | null;
  fanout_done: number;
  /** How many endpoints the segment held when the fan-out began; null until then. */
  audience_size: number | null;
  /** Entries the fan-out has written so far (not counted for the event-entry run). */
  entrants: Generated<number>;
  creation_ms: number;
  last_update_ms: number;
}

/** One entry of one endpoint into a journey, and where it is now. */
export interface JourneyParticipantsTable {
  id: Generated<number>;
  app_id: string;
  journey_id: string;
  run_id: string;
  endpoint_id: string;
  /** Unique per journey: what entered it (`run:<run>:<endpoint>`, `event:<endpoint>:<event id>`...). */
  entry_key: string;
  /** ENTERING (entry not yet checked), ACTIVE, LEFT, CANCELLED or REJECTED. */
  status: string;
  /** The activity the participant is at; empty while ENTERING. */
  activity_id: string;
  /** Moves made so far; part of each message's send key. */
  step: number;
  /** When the engine should next look at this participant; null once it has left. */
  wake_ms: number | null;
  entered_ms: number;
  activity_entered_ms: number;
  broadcast_id: string | null;
  /** The event that started the entry ({EventType, Attributes, Metrics}); broadcasts keep theirs on the broadcast. */
  trigger_event: JsonColumn | null;
  /** The message each message activity sent this participant: activity id → message id. */
  messages: JsonColumn;
  sent_total: number;
  sent_day_start_ms: number;
  sent_today: number;
}

/** Execution metric counters, per journey run and activity ('' for the journey itself). */
export interface JourneyMetricsTable {
  app_id: string;
  journey_id: string;
  run_id: string;
  activity_id: string;
  metric: string;
  value: number;
  updated_ms: number;
}

/** A company-wide event sent to every endpoint of the segments of the journeys it starts. */
export interface BroadcastsTable {
  app_id: string;
  id: string;
  /** {EventType, Attributes, Metrics}. */
  event: JsonColumn;
  /** RUNNING or DONE. */
  status: string;
  /** The ids of the journeys it started. */
  journeys: JsonColumn;
  creation_ms: number;
  completion_ms: number | null;
}
