/**
 * The Pinpoint REST API as one Fastify plugin: every operation of the model that has a handler
 * becomes a route with the model's method, path, status code and request schema. Requests are
 * checked against SigV4 before their body is even parsed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Services } from "../services.js";
import { verifySignature } from "./auth/sigv4.js";
import { badRequest, PinpointError, toPinpointError } from "./errors.js";
import type { Handler, OperationInput } from "./handler.js";
import { extensionOperations } from "./model/extensions.js";
import { type Operation, operations, project, resolve, type Shape, signingName, toJsonSchema } from "./model/index.js";
import { routeTable } from "./routes.js";

/** Pinpoint's request size quotas; anything else gets the general limit. */
const bodyLimits: Record<string, number> = {
  PutEvents: 4 * 1024 * 1024,
  UpdateEndpointsBatch: 7 * 1024 * 1024,
};
export const defaultBodyLimit = 7 * 1024 * 1024;

interface Binding {
  operation: Operation;
  handler: Handler;
  payloadName?: string;
  payloadRequired: boolean;
  listQueryMembers: Array<[string, string]>;
}

declare module "fastify" {
  interface FastifyRequest {
    rawBody?: Buffer;
    principal?: string;
  }
}

/** `/v1/apps/{application-id}` → `/v1/apps/:ApplicationId`, named by the model's members. */
function fastifyPath(operation: Operation): string {
  const members = operation.input?.members ?? {};
  return operation.http.requestUri.replace(/\{([^}]+)\}/g, (_, locationName: string) => {
    const name = Object.entries(members).find(([, m]) => m.location === "uri" && m.locationName === locationName)?.[0];
    return `:${name ?? locationName}`;
  });
}

/** Query strings carry text: a boolean member (create-new-version) arrives as "true" or "false". */
function querySchema(member: Shape) {
  return resolve(member).type === "boolean" ? { type: "string", enum: ["true", "false"] } : toJsonSchema(member);
}

function requestSchema(operation: Operation) {
  const input = operation.input ?? { members: {} };
  const params: Record<string, unknown> = {};
  const query: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(input.members ?? {})) {
    if (m.location === "uri") params[name] = toJsonSchema(m);
    if (m.location === "querystring") query[m.locationName ?? name] = querySchema(m);
  }
  const payload = input.payload ? input.members?.[input.payload] : undefined;
  return {
    params: { type: "object", properties: params },
    querystring: { type: "object", properties: query },
    ...(payload ? { body: toJsonSchema(payload) } : {}),
  };
}

function bind(operation: Operation, handler: Handler): Binding {
  const input = operation.input ?? {};
  const listQueryMembers: Array<[string, string]> = Object.entries(input.members ?? {})
    .filter(([, m]) => m.location === "querystring" && resolve(m).type === "list")
    .map(([name, m]) => [name, m.locationName ?? name]);
  return {
    operation,
    handler,
    payloadName: input.payload,
    payloadRequired: Boolean(input.payload && input.required?.includes(input.payload)),
    listQueryMembers,
  };
}

/** The operation's input as the SDK would have built it: uri and query members by name, plus the payload. */
function operationInput(binding: Binding, request: FastifyRequest): OperationInput {
  const input: OperationInput = { ...(request.params as object) };
  const query = request.query as Record<string, unknown>;
  for (const [name, m] of Object.entries(binding.operation.input?.members ?? {})) {
    if (m.location !== "querystring") continue;
    const value = query[m.locationName ?? name];
    if (value !== undefined) input[name] = resolve(m).type === "boolean" ? value === "true" : value;
  }
  if (binding.payloadName && request.body !== undefined) input[binding.payloadName] = request.body;
  return input;
}

function outputPayload(operation: Operation, result: unknown): unknown {
  const output = operation.output;
  if (!output?.payload) return undefined;
  const payloadShape: Shape = output.members?.[output.payload] ?? {};
  return project(payloadShape, result);
}

/** The operations the API serves, by name; docs/compatibility.md is generated from this. */
export function servedOperations(): string[] {
  return operations.filter((op) => routeTable[op.name]).map((op) => op.name);
}

export async function pinpointApi(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const keys = services.config.accessKeys;

  // Bodies stay raw until the signature over them is checked.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  for (const operation of [...operations, ...extensionOperations]) {
    const handler = routeTable[operation.name];
    if (!handler) continue;
    const binding = bind(operation, handler);
    app.route({
      method: operation.http.method as "GET",
      url: fastifyPath(operation),
      bodyLimit: bodyLimits[operation.name] ?? defaultBodyLimit,
      schema: requestSchema(operation),
      preValidation: async (request) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        request.rawBody = raw;
        const scope = await verifySignature(
          {
            method: request.method,
            rawPath: request.raw.url?.split("?")[0] ?? "/",
            query: request.query as Record<string, string | string[]>,
            headers: request.headers,
            body: raw,
          },
          keys,
          signingName,
        );
        request.principal = scope.accessKeyId;
        request.body = parseBody(binding, raw);
        const query = request.query as Record<string, unknown>;
        for (const [, locationName] of binding.listQueryMembers) {
          const value = query[locationName];
          if (typeof value === "string") query[locationName] = [value];
        }
      },
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const result = await binding.handler(operationInput(binding, request), {
          services,
          requestId: request.id,
          principal: request.principal ?? "anonymous",
          log: request.log,
        });
        reply.code(operation.http.responseCode);
        const payload = outputPayload(operation, result);
        return payload === undefined ? reply.send() : reply.send(payload);
      },
    });
  }

  app.setNotFoundHandler((request) => {
    throw new PinpointError(404, `No operation matches ${request.method} ${request.url.split("?")[0]}`);
  });
}

function parseBody(binding: Binding, raw: Buffer): unknown {
  if (!binding.payloadName) return undefined;
  if (raw.length === 0) {
    if (binding.payloadRequired) throw badRequest("The request body is required.");
    return undefined;
  }
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw badRequest("The request body is not valid JSON.");
  }
}

/** The one place errors become Pinpoint's wire form. */
export function sendPinpointError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const validation = (error as { validation?: unknown; validationContext?: string; message?: string }).validation;
  const failure = validation ? badRequest((error as Error).message) : toPinpointError(error);
  if (failure.statusCode >= 500) request.log.error({ err: error }, "request failed");
  return reply
    .code(failure.statusCode)
    .header("x-amzn-ErrorType", failure.errorType)
    .send({ Message: failure.message, RequestID: request.id });
}
