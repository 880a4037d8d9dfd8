/**
 * The Pinpoint API model (2016-12-01), as shipped in the aws-sdk v2 package
 * (`apis/pinpoint-2016-12-01.min.json`, copied here verbatim; a test checks the copy).
 * Routes, status codes, request validation and response shapes are all derived from it.
 */
import { createRequire } from "node:module";

/** A shape reference or inline shape as the minified model writes it; a missing `type` means string. */
export interface Shape {
  type?: "structure" | "string" | "map" | "list" | "boolean" | "integer" | "double" | "timestamp" | "blob";
  shape?: string;
  members?: Record<string, Shape & { location?: "uri" | "querystring" | "header"; locationName?: string }>;
  required?: string[];
  member?: Shape;
  key?: Shape;
  value?: Shape;
  payload?: string;
  locationName?: string;
}

export interface Operation {
  name: string;
  http: { method?: string; requestUri: string; responseCode: number };
  input?: Shape;
  output?: Shape;
}

interface ModelFile {
  metadata: { signingName: string; apiVersion: string };
  operations: Record<string, Omit<Operation, "name">>;
  shapes: Record<string, Shape>;
}

const model = createRequire(import.meta.url)("./pinpoint-2016-12-01.json") as ModelFile;

export const signingName = model.metadata.signingName;

/** Every operation of the model, with its HTTP binding (method defaults to POST, as in the model). */
export const operations: Operation[] = Object.entries(model.operations).map(([name, op]) => ({
  name,
  ...op,
  http: { ...op.http, method: op.http.method ?? "POST" },
}));

/** Follows a `shape` reference to its definition, keeping the reference's own location fields. */
export function resolve(shape: Shape): Shape {
  if (!shape.shape) return shape;
  const target = model.shapes[shape.shape];
  if (!target) throw new Error(`unknown shape ${shape.shape}`);
  return resolve(target);
}

export type JsonSchema = Record<string, unknown>;

/**
 * A JSON Schema for a shape, as Fastify's Ajv validates it.
 * @example toJsonSchema({ type: "list", member: {} }) // { type: "array", items: { type: "string" } }
 */
export function toJsonSchema(input: Shape, depth = 0): JsonSchema {
  const shape = resolve(input);
  // Pinpoint's recursive shapes (segment groups, journey activities) are cut off deep down; the domain validates the rest.
  if (depth > 12) return {};
  switch (shape.type ?? "string") {
    case "string":
    case "timestamp":
    case "blob":
      return { type: "string" };
    case "boolean":
      return { type: "boolean" };
    case "integer":
      return { type: "integer" };
    case "double":
      return { type: "number" };
    case "list":
      return { type: "array", items: toJsonSchema(shape.member ?? {}, depth + 1) };
    case "map":
      return { type: "object", additionalProperties: toJsonSchema(shape.value ?? {}, depth + 1) };
    case "structure": {
      const properties: Record<string, JsonSchema> = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        properties[member.locationName ?? name] = toJsonSchema(member, depth + 1);
      }
      const required = (shape.required ?? []).map((name) => shape.members?.[name]?.locationName ?? name);
      return { type: "object", properties, ...(required.length ? { required } : {}) };
    }
  }
}

/**
 * Keeps only what the shape defines, so a response never carries stored fields the API does not
 * return (channel credentials, internal columns). Unknown members and nulls are dropped.
 */
export function project(input: Shape, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  const shape = resolve(input);
  switch (shape.type ?? "string") {
    case "list":
      return Array.isArray(value) ? value.map((item) => project(shape.member ?? {}, item)) : undefined;
    case "map": {
      if (typeof value !== "object") return undefined;
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = project(shape.value ?? {}, item);
      return out;
    }
    case "structure": {
      if (typeof value !== "object") return undefined;
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const key = member.locationName ?? name;
        const projected = project(member, source[key]);
        if (projected !== undefined) out[key] = projected;
      }
      return out;
    }
    default:
      return value;
  }
}
