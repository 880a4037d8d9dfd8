/**
 * The lines of a newline-delimited JSON import file: each one endpoint definition in the shape of
 * Pinpoint's EndpointRequest plus its Id, e.g. {"ChannelType":"SMS","Address":"+16045550182"}.
 */
import type { EndpointDefinition, ImportRecord } from "./record.js";
import { toRecord } from "./record.js";

/**
 * Maps one line to a record; the endpoint rules themselves are checked when it is applied.
 * @example jsonRecord('{"ChannelType":"EMAIL","Address":"ada@example.com"}', 1)
 */
export function jsonRecord(text: string, line: number): ImportRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { line, error: `line ${line}: not valid JSON (${(error as Error).message})` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { line, error: `line ${line}: an endpoint definition must be a JSON object` };
  }
  const definition = value as EndpointDefinition;
  if (definition.Id !== undefined && typeof definition.Id !== "string") {
    return { line, error: `line ${line}: Id must be a string` };
  }
  return toRecord(line, definition);
}
