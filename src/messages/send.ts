/**
 * SendMessages and SendUsersMessages: direct (transactional) messages to addresses, endpoints and
 * users. Each message goes through the outbox like every other send (its send key is the request
 * and the address, so a recipient named twice is sent one message), then is delivered within the
 * request, and the answer carries each recipient's DeliveryStatus.
 */
import type {
  DirectMessageConfiguration,
  EndpointMessageResult,
  EndpointSendConfiguration,
  MessageRequest,
  MessageResponse,
  MessageResult,
  SendUsersMessageRequest,
  SendUsersMessageResponse,
} from "@aws-sdk/client-pinpoint";
import { badRequest } from "../api/errors.js";
import { requireApp } from "../apps/index.js";
import { type Endpoint, fromRow } from "../endpoints/index.js";
import { groupBy } from "../group-by.js";
import type { Services } from "../services.js";
import { instrumentEmail } from "../track/instrument.js";
import { channelDefaults } from "./channel-defaults.js";
import { checkAddress, composeMessage, type Render } from "./compose.js";
import { newMessageId } from "./message-id.js";
import type { DeliveryChannel, DeliveryOutcome } from "./model.js";
import { optedOutAddresses } from "./opt-outs.js";
import { enqueueMessages, type QueuedMessage } from "./outbox/enqueue.js";
import { applyTemplates, type TemplatedConfiguration } from "./template-configuration.js";

/** Pinpoint's quota: recipients per SendMessages request. */
export const maxRecipients = 100;
/** A direct message is the request's to deliver; the background loop takes it over only if the request dies. */
const requestWindowMs = 30_000;

const deliveryChannels = new Set<string>([
  "EMAIL",
  "SMS",
  "VOICE",
  "GCM",
  "APNS",
  "APNS_SANDBOX",
  "APNS_VOIP",
  "APNS_VOIP_SANDBOX",
  "BAIDU",
  "ADM",
]);

interface Target {
  key: string;
  channel: DeliveryChannel;
  address: string;
  endpoint?: Endpoint;
  overrides: EndpointSendConfiguration;
}

type Result = MessageResult & { Address?: string };

/**
 * The renderer for one recipient; message variables are resolved by the templates module, with the
 * DefaultSubstitutions of the template the message came from, if any.
 */
export type RendererFor = (
  endpoint: Endpoint | undefined,
  substitutions: Record<string, string[]>,
  defaultSubstitutions: string | undefined,
) => Render;

export async function sendMessages(
  services: Services,
  rendererFor: RendererFor,
  appId: string,
  request: MessageRequest,
  requestId: string,
): Promise<MessageResponse> {
  await requireApp(services, appId);
  const templated = await applyTemplates(services, request.TemplateConfiguration, request.MessageConfiguration ?? {});
  const addresses = Object.entries(request.Addresses ?? {});
  const endpointIds = Object.keys(request.Endpoints ?? {});
  if (addresses.length + endpointIds.length === 0) throw badRequest("Give at least one of Addresses and Endpoints");
  if (addresses.length + endpointIds.length > maxRecipients) {
    throw badRequest(`A request can name at most ${maxRecipients} recipients`);
  }
  const endpoints = await readEndpoints(services, appId, endpointIds);
  const targets: Target[] = [];
  const results = new Map<string, Result>();
  for (const [address, config] of addresses) {
    if (!config.ChannelType || !deliveryChannels.has(config.ChannelType)) {
      results.set(`a:${address}`, failure(400, "ChannelType must be EMAIL, SMS, VOICE or a push channel"));
      continue;
    }
    targets.push({ key: `a:${address}`, channel: config.ChannelType as DeliveryChannel, address, overrides: config });
  }
  for (const endpointId of endpointIds) {
    const endpoint = endpoints.get(endpointId);
    const key = `e:${endpointId}`;
    if (!endpoint) {
      results.set(key, failure(404, "The endpoint does not exist"));
    } else if (!endpoint.Address || !endpoint.ChannelType || !deliveryChannels.has(endpoint.ChannelType)) {
      results.set(key, {
        ...failure(400, "The endpoint has no address on a channel that can be sent to"),
        Address: endpoint.Address,
      });
    } else {
      const overrides = request.Endpoints?.[endpointId] ?? {};
      targets.push({
        key,
        channel: endpoint.ChannelType as DeliveryChannel,
        address: endpoint.Address,
        endpoint,
        overrides,
      });
    }
  }
  const queued = await prepare(services, rendererFor, appId, templated, targets, request, requestId, results);
  const outcomes = await enqueueAndDeliver(services, queued);
  for (const target of targets) {
    const message = queued.find((q) => q.target === target);
    if (!message) continue;
    const outcome = outcomes.get(message.message.id) ?? {
      status: "DUPLICATE",
      statusCode: 200,
      statusMessage: "This recipient was already sent this message",
    };
    results.set(target.key, { ...toResult(message.message.id, outcome), Address: target.address });
  }
  const response: MessageResponse = { ApplicationId: appId, RequestId: requestId };
  for (const [key, result] of results) {
    if (key.startsWith("a:")) {
      response.Result ??= {};
      response.Result[key.slice(2)] = { ...result, Address: undefined } as MessageResult;
    } else {
      response.EndpointResult ??= {};
      response.EndpointResult[key.slice(2)] = result as EndpointMessageResult;
    }
  }
  return response;
}

/** SendUsersMessages: every endpoint of each user, answered per user and endpoint. */
export async function sendUsersMessages(
  services: Services,
  rendererFor: RendererFor,
  appId: string,
  request: SendUsersMessageRequest,
  requestId: string,
): Promise<SendUsersMessageResponse> {
  await requireApp(services, appId);
  const users = Object.entries(request.Users ?? {});
  if (users.length === 0) throw badRequest("Users must name at least one user");
  const rows = await services.store.db
    .selectFrom("endpoints")
    .selectAll()
    .where("app_id", "=", appId)
    .where(
      "user_id",
      "in",
      users.map(([userId]) => userId),
    )
    .execute();
  const endpointsByUser = groupBy(rows.map(fromRow), (endpoint) => endpoint.User.UserId ?? "");
  const Endpoints: Record<string, EndpointSendConfiguration> = {};
  for (const [userId, config] of users) {
    for (const endpoint of endpointsByUser.get(userId) ?? []) Endpoints[endpoint.Id] = config;
  }
  const sent: MessageResponse = Object.keys(Endpoints).length
    ? await sendMessages(services, rendererFor, appId, { ...request, Endpoints }, requestId)
    : { ApplicationId: appId, EndpointResult: {} };
  const Result: Record<string, Record<string, EndpointMessageResult>> = {};
  for (const [userId] of users) {
    Result[userId] = {};
    for (const endpoint of endpointsByUser.get(userId) ?? []) {
      const result = sent.EndpointResult?.[endpoint.Id];
      if (result) Result[userId][endpoint.Id] = result;
    }
  }
  return { ApplicationId: appId, RequestId: requestId, Result };
}

interface Prepared {
  target: Target;
  message: QueuedMessage;
}

async function prepare(
  services: Services,
  rendererFor: RendererFor,
  appId: string,
  { configuration, defaults: templateDefaults }: TemplatedConfiguration,
  targets: Target[],
  request: MessageRequest,
  requestId: string,
  results: Map<string, Result>,
): Promise<Prepared[]> {
  const defaults = await channelDefaults(services, appId);
  const optedOut = await addressOptOuts(services, appId, targets);
  const prepared: Prepared[] = [];
  for (const target of targets) {
    const addressError = checkAddress(target.channel, target.address);
    if (addressError) {
      results.set(target.key, { ...failure(400, addressError), Address: target.address });
      continue;
    }
    if (target.endpoint?.OptOut === "ALL" || optedOut.has(`${target.channel}:${target.address}`)) {
      results.set(target.key, {
        DeliveryStatus: "OPT_OUT",
        StatusCode: 400,
        StatusMessage: target.endpoint?.OptOut === "ALL" ? "The endpoint has opted out" : "The address has opted out",
        Address: target.address,
      });
      continue;
    }
    if (target.endpoint?.EndpointStatus === "INACTIVE") {
      results.set(target.key, { ...failure(400, "The endpoint is inactive"), Address: target.address });
      continue;
    }
    const substitutions = {
      ...channelSubstitutions(configuration, target.channel),
      ...(target.overrides.Substitutions ?? {}),
    };
    let composed: ReturnType<typeof composeMessage>;
    try {
      const render = rendererFor(target.endpoint, substitutions, templateDefaults[channelFamily(target.channel)]);
      composed = composeMessage(configuration, target, render, defaults);
    } catch (error) {
      composed = {
        error: `The message could not be rendered: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if ("error" in composed) {
      results.set(target.key, { ...failure(400, composed.error), Address: target.address });
      continue;
    }
    const sender =
      "fromAddress" in composed.content
        ? composed.content.fromAddress
        : ("originationNumber" in composed.content && composed.content.originationNumber) || target.channel;
    prepared.push({
      target,
      // Opens, clicks and unsubscribes are tracked on direct sends as on campaigns and journeys.
      message: await instrumentEmail(services, {
        id: newMessageId(),
        sendKey: `direct:${requestId}:${target.channel}:${target.address}`,
        appId,
        channel: target.channel,
        address: target.address,
        endpointId: target.endpoint?.Id,
        content: composed.content,
        origin: request.TraceId ? { traceId: request.TraceId } : {},
        context: { ...(request.Context ?? {}), ...(target.overrides.Context ?? {}) },
        sender,
        maxAttempts: 1,
        notBeforeMs: Date.now() + requestWindowMs,
      }),
    });
  }
  return prepared;
}

async function enqueueAndDeliver(services: Services, prepared: Prepared[]): Promise<Map<string, DeliveryOutcome>> {
  if (prepared.length === 0) return new Map();
  const inserted = await services.store.db.transaction().execute((trx) =>
    enqueueMessages(
      trx,
      prepared.map((p) => p.message),
    ),
  );
  return services.delivery.deliverNow([...inserted]);
}

/** Addresses that opted out by themselves (an unsubscribe link, STOP), as `CHANNEL:address`. */
async function addressOptOuts(services: Services, appId: string, targets: Target[]): Promise<Set<string>> {
  const refused = new Set<string>();
  for (const [channel, channelTargets] of groupBy(targets, (target) => target.channel)) {
    const addresses = channelTargets.map((target) => target.address);
    for (const address of await optedOutAddresses(services.store.db, appId, channel, addresses)) {
      refused.add(`${channel}:${address}`);
    }
  }
  return refused;
}

async function readEndpoints(services: Services, appId: string, ids: string[]): Promise<Map<string, Endpoint>> {
  if (ids.length === 0) return new Map();
  const rows = await services.store.db
    .selectFrom("endpoints")
    .selectAll()
    .where("app_id", "=", appId)
    .where("id", "in", ids)
    .execute();
  return new Map(rows.map((row) => [row.id, fromRow(row)]));
}

function channelSubstitutions(
  configuration: DirectMessageConfiguration,
  channel: DeliveryChannel,
): Record<string, string[]> {
  const byChannel: Partial<Record<DeliveryChannel, Record<string, string[]> | undefined>> = {
    EMAIL: configuration.EmailMessage?.Substitutions,
    SMS: configuration.SMSMessage?.Substitutions,
    VOICE: configuration.VoiceMessage?.Substitutions,
    GCM: configuration.GCMMessage?.Substitutions,
    APNS: configuration.APNSMessage?.Substitutions,
    BAIDU: configuration.BaiduMessage?.Substitutions,
    ADM: configuration.ADMMessage?.Substitutions,
  };
  return { ...(configuration.DefaultMessage?.Substitutions ?? {}), ...(byChannel[channel] ?? {}) };
}

function channelFamily(channel: DeliveryChannel): "EMAIL" | "SMS" | "VOICE" | "PUSH" {
  return channel === "EMAIL" || channel === "SMS" || channel === "VOICE" ? channel : "PUSH";
}

function failure(statusCode: number, message: string): Result {
  return { DeliveryStatus: "PERMANENT_FAILURE", StatusCode: statusCode, StatusMessage: message };
}

function toResult(messageId: string, outcome: DeliveryOutcome): Result {
  return {
    DeliveryStatus: outcome.status,
    StatusCode: outcome.statusCode,
    StatusMessage: outcome.statusMessage ?? "",
    MessageId: messageId,
  };
}
