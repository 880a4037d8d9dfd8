/**
 * Broadcasts (a Waymark extension, docs/broadcasts.md): one company-wide event that enters every
 * endpoint of the segment of each ACTIVE journey whose broadcast trigger matches it. These are the
 * shapes of the API and the rows behind them.
 */

/** The event a broadcast carries; every participant it enters sees it as {{Event.Attributes.x}}. */
export interface BroadcastEvent {
  EventType: string;
  Attributes: Record<string, string>;
  Metrics: Record<string, number>;
}

/** POST /v1/apps/{application-id}/broadcasts. */
export interface WriteBroadcastRequest {
  /** Makes the call idempotent: the same Id again answers the broadcast it started, entering nobody twice. */
  Id?: string;
  EventType?: string;
  Attributes?: Record<string, string>;
  Metrics?: Record<string, number>;
}

/**
 * One journey's share of a broadcast. RUNNING while its segment is fanned out, DONE once every
 * endpoint of it has entered, STOPPED when the journey was cancelled or closed before that.
 */
export interface BroadcastJourney {
  JourneyId: string;
  SegmentId?: string;
  /** How many endpoints the segment held when the fan-out began; absent until then. */
  SegmentSize?: number;
  EndpointsEntered: number;
  State: "RUNNING" | "DONE" | "STOPPED";
}

export interface BroadcastResponse extends BroadcastEvent {
  ApplicationId: string;
  Id: string;
  CreationDate: string;
  CompletionDate?: string;
  /** DONE once every matched journey's fan-out is over (at once when none matched). */
  State: "RUNNING" | "DONE";
  Journeys: BroadcastJourney[];
  /** Entries written so far, over all journeys. */
  EndpointsEntered: number;
  /** The journeys' segment sizes added up, once every fan-out has counted its segment. */
  SegmentSize?: number;
  /** Says when no journey matched. */
  Message?: string;
}
