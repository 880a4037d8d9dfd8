/** The app's event stream: where Pinpoint (and Waymark) export every event. */
import type { WriteEventStream } from "@aws-sdk/client-pinpoint";
import { deleteEventStream, getEventStream, putEventStream } from "../stream/index.js";
import { type Handlers, member } from "./handler.js";

export const eventStreamHandlers: Handlers = {
  PutEventStream: (input, { services, principal }) =>
    putEventStream(
      services,
      member(input, "ApplicationId"),
      member<WriteEventStream>(input, "WriteEventStream"),
      principal,
    ),
  GetEventStream: (input, { services }) => getEventStream(services, member(input, "ApplicationId")),
  DeleteEventStream: (input, { services }) => deleteEventStream(services, member(input, "ApplicationId")),
};
