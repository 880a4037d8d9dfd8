/**
 * The event stream: Pinpoint's export of every event to Kinesis, delivered by Waymark to the
 * webhooks and files config.eventStreams names. Producers format records with
 * `toEventStreamRecord` and queue them with `appendToStream` in their own transaction; the
 * `StreamDelivery` loop (wired in server.ts) delivers them at least once.
 */
export { deleteEventStream, getEventStream, putEventStream } from "./event-streams.js";
export { appendToStream } from "./outbox/append.js";
export { appEventVersion, type EventStreamRecord, type ReportedEvent, toEventStreamRecord } from "./record.js";
