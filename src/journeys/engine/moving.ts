/**
 * A participant while a batch moves it: its row as claimed, and what the batch has done to it so
 * far (the activity it reached, when it next needs attention, the messages it was sent). The
 * transitions count their metrics as they happen; nothing is written until the batch commits.
 */
import type { Activity } from "@aws-sdk/client-pinpoint";
import type { MetricIncrement } from "../metrics-store.js";
import type { Journey, Participant, ParticipantStatus, TriggerEvent } from "../model.js";

/** Where a batch counts metrics, and the time it runs at. */
export interface MetricSink {
  readonly now: number;
  readonly metrics: MetricIncrement[];
}

export class Moving {
  status: ParticipantStatus;
  activityId: string;
  step: number;
  wakeMs: number | null;
  activityEnteredMs: number;
  messages: Record<string, string>;
  sentTotal: number;
  sentDayStartMs: number;
  sentToday: number;
  /** Whether the row needs writing, and which of its per-participant columns changed. */
  touched = false;
  messagesChanged = false;
  countersChanged = false;

  constructor(
    readonly participant: Participant,
    readonly journey: Journey,
    /** The event it entered with (its own, or its broadcast's): {{Event.Attributes.x}} and conditions read it. */
    readonly event: TriggerEvent | undefined,
  ) {
    this.status = participant.status;
    this.activityId = participant.activityId;
    this.step = participant.step;
    this.wakeMs = participant.wakeMs;
    this.activityEnteredMs = participant.activityEnteredMs;
    this.messages = participant.messages;
    this.sentTotal = participant.sentTotal;
    this.sentDayStartMs = participant.sentDayStartMs;
    this.sentToday = participant.sentToday;
  }

  get id(): number {
    return this.participant.id;
  }

  /** The activity it is at, if the journey still has it. */
  activity(): Activity | undefined {
    return this.journey.definition.Activities?.[this.activityId];
  }

  /** The key of this participant's message at its current activity: the step it arrived there with. */
  sendKey(): string {
    return `journey:${this.participant.id}:${this.step}`;
  }

  /** Counts one of a metric, for the journey ("") or one of its activities, in this participant's run. */
  count(sink: MetricSink, activityId: string, metric: string): void {
    const { appId, journeyId, runId } = this.participant;
    sink.metrics.push({ appId, journeyId, runId, activityId, metric, by: 1 });
  }

  /** Stays at its activity until `wakeMs`. */
  waitUntil(wakeMs: number): void {
    this.wakeMs = wakeMs;
    this.touched = true;
  }

  /**
   * Goes on to `next`, answering true when it arrived there (and needs attention now); with no
   * next activity, or one the journey does not have, it leaves the journey instead.
   */
  moveOn(sink: MetricSink, next: string | undefined): boolean {
    if (next === undefined || !this.journey.definition.Activities?.[next]) {
      this.leave(sink);
      return false;
    }
    this.status = "ACTIVE";
    this.activityId = next;
    this.step += 1;
    this.activityEnteredMs = sink.now;
    this.wakeMs = sink.now;
    this.touched = true;
    this.count(sink, next, "ENDPOINT_ENTERED");
    return true;
  }

  /** Leaves the journey at the end of its path (or held out). */
  leave(sink: MetricSink): void {
    this.status = "LEFT";
    this.wakeMs = null;
    this.touched = true;
    this.count(sink, "", "ENDPOINT_LEFT");
  }

  /** Refused at entry, with the metric that says why. */
  reject(sink: MetricSink, metric: string): void {
    this.status = "REJECTED";
    this.wakeMs = null;
    this.touched = true;
    this.count(sink, "", metric);
  }

  /** Records the message its current activity queued for it. */
  sent(messageId: string, dayStartMs: number, sentToday: number): void {
    this.messages = { ...this.messages, [this.activityId]: messageId };
    this.sentTotal += 1;
    this.sentDayStartMs = dayStartMs;
    this.sentToday = sentToday;
    this.messagesChanged = true;
    this.countersChanged = true;
  }
}
