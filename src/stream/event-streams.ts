/**
 * An application's event stream (PutEventStream, GetEventStream, DeleteEventStream): the one
 * Kinesis stream or Firehose delivery stream its events go to. Waymark delivers to the webhook or
 * file that config.eventStreams maps the ARN to, so an ARN must be mapped before it can be used.
 */
import type { EventStream, WriteEventStream } from "@aws-sdk/client-pinpoint";
import { badRequest, notFound } from "../api/errors.js";
import { requireApp } from "../apps/index.js";
import type { Services } from "../services.js";
import type { Database } from "../store/index.js";

type EventStreamRow = Database["event_streams"];

const partition = "arn:aws(?:-[a-z]+)*";
const streamArn = new RegExp(
  `^${partition}:(?:kinesis:[a-z0-9-]+:\\d{12}:stream/[A-Za-z0-9_.-]{1,128}|firehose:[a-z0-9-]+:\\d{12}:deliverystream/[A-Za-z0-9_.-]{1,64})$`,
);
const roleArn = new RegExp(`^${partition}:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$`);

function toEventStream(row: EventStreamRow): EventStream {
  return {
    ApplicationId: row.app_id,
    DestinationStreamArn: row.destination_stream_arn,
    RoleArn: row.role_arn,
    ExternalId: row.external_id ?? undefined,
    LastModifiedDate: row.last_modified_date,
    LastUpdatedBy: row.last_updated_by ?? undefined,
  };
}

/** Refuses a destination Waymark could not deliver to, saying how to make it deliverable. */
function validateWriteEventStream(services: Services, request: WriteEventStream): void {
  const destination = request.DestinationStreamArn ?? "";
  if (!streamArn.test(destination)) {
    throw badRequest(
      `DestinationStreamArn must be a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME) or a Firehose delivery stream ARN (arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME), not "${destination}"`,
    );
  }
  if (!roleArn.test(request.RoleArn ?? "")) {
    throw badRequest(
      `RoleArn must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME), not "${request.RoleArn ?? ""}"`,
    );
  }
  if (!services.config.eventStreams[destination]) {
    throw badRequest(
      `${destination} is not mapped to a destination Waymark can deliver to. Map it in the config file under eventStreams, e.g. "eventStreams": {"${destination}": {"type": "webhook", "url": "https://collector.example.com/pinpoint"}} or {"type": "file", "path": "./data/events.ndjson"}, and restart Waymark.`,
    );
  }
}

/**
 * Creates or replaces the app's event stream. `principal` is the access key that signed the
 * request, which Pinpoint reports as LastUpdatedBy.
 */
export async function putEventStream(
  services: Services,
  appId: string,
  request: WriteEventStream,
  principal: string,
): Promise<EventStream> {
  await requireApp(services, appId);
  validateWriteEventStream(services, request);
  const row: EventStreamRow = {
    app_id: appId,
    destination_stream_arn: request.DestinationStreamArn ?? "",
    role_arn: request.RoleArn ?? "",
    external_id: null,
    last_modified_date: new Date().toISOString(),
    last_updated_by: principal,
  };
  await services.store.db
    .insertInto("event_streams")
    .values(row)
    .onConflict((oc) =>
      oc.column("app_id").doUpdateSet({
        destination_stream_arn: row.destination_stream_arn,
        role_arn: row.role_arn,
        external_id: row.external_id,
        last_modified_date: row.last_modified_date,
        last_updated_by: row.last_updated_by,
      }),
    )
    .execute();
  return toEventStream(row);
}

async function requireEventStream(services: Services, appId: string): Promise<EventStreamRow> {
  await requireApp(services, appId);
  const row = await services.store.db
    .selectFrom("event_streams")
    .selectAll()
    .where("app_id", "=", appId)
    .executeTakeFirst();
  if (!row) throw notFound(`Application ${appId} has no event stream`);
  return row;
}

export async function getEventStream(services: Services, appId: string): Promise<EventStream> {
  return toEventStream(await requireEventStream(services, appId));
}

/**
 * Stops streaming the app's events, answering the stream it had. Records already queued keep
 * their destination and are still delivered: they were accepted while the stream existed.
 */
export async function deleteEventStream(services: Services, appId: string): Promise<EventStream> {
  const row = await requireEventStream(services, appId);
  await services.store.db.deleteFrom("event_streams").where("app_id", "=", appId).execute();
  return toEventStream(row);
}
