/** Waymark's broadcasts (an extension: docs/broadcasts.md, docs/extensions.md). */
import {
  createBroadcast,
  getBroadcast,
  listBroadcasts,
  type WriteBroadcastRequest,
} from "../journeys/broadcasts/index.js";
import { readPage } from "../paging.js";
import { type Handlers, member } from "./handler.js";

export const broadcastHandlers: Handlers = {
  CreateBroadcast: (input, { services }) =>
    createBroadcast(
      services,
      member(input, "ApplicationId"),
      member<WriteBroadcastRequest>(input, "WriteBroadcastRequest"),
    ),
  GetBroadcast: (input, { services }) =>
    getBroadcast(services, member(input, "ApplicationId"), member(input, "BroadcastId")),
  ListBroadcasts: (input, { services }) =>
    listBroadcasts(services, member(input, "ApplicationId"), readPage(input.PageSize, input.Token, 50)),
};
