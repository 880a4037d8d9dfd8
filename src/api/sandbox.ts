/** Waymark's sandbox outbox (an extension: docs/extensions.md). */
import { requireApp } from "../apps/index.js";
import { listSandboxMessages } from "../channels/sandbox/outbox.js";
import { readPage } from "../paging.js";
import { type Handlers, member } from "./handler.js";

export const sandboxHandlers: Handlers = {
  ListSandboxMessages: async (input, { services }) => {
    const appId = member<string>(input, "ApplicationId");
    await requireApp(services, appId);
    return listSandboxMessages(services, appId, readPage(input.PageSize, input.Token, 50));
  },
};
