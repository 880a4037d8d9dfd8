/** Direct messages: SendMessages and SendUsersMessages. */
import type { MessageRequest, SendUsersMessageRequest } from "@aws-sdk/client-pinpoint";
import type { RendererFor } from "../messages/send.js";
import { sendMessages, sendUsersMessages } from "../messages/send.js";
import { recipientRenderer } from "../templates/index.js";
import { type Handlers, member } from "./handler.js";

/** Message variables in a direct message resolve against the recipient's endpoint, if it has one. */
const rendererFor: RendererFor = (endpoint, substitutions, defaultSubstitutions) =>
  recipientRenderer({ endpoint, substitutions }, defaultSubstitutions);

export const messageHandlers: Handlers = {
  SendMessages: (input, { services, requestId }) =>
    sendMessages(
      services,
      rendererFor,
      member(input, "ApplicationId"),
      member<MessageRequest>(input, "MessageRequest"),
      requestId,
    ),
  SendUsersMessages: (input, { services, requestId }) =>
    sendUsersMessages(
      services,
      rendererFor,
      member(input, "ApplicationId"),
      member<SendUsersMessageRequest>(input, "SendUsersMessageRequest"),
      requestId,
    ),
};
