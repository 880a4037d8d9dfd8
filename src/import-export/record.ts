/**
 * One record of an import file, as the import job applies it: an endpoint update, a list of user
 * ids whose endpoints join the imported segment, or the reason the record cannot be used.
 */
import { hash } from "node:crypto";
import type { EndpointUpdate } from "../endpoints/index.js";

/** An endpoint definition without its Id yet; Pinpoint's import assigns one when the file has none. */
export type EndpointDefinition = Omit<EndpointUpdate, "Id"> & { Id?: string };

export type ImportRecord =
  | { line: number; endpoint: EndpointUpdate }
  | { line: number; userIds: string[] }
  | { line: number; error: string };

/**
 * The Id an endpoint without one is given: derived from its channel and address, so importing the
 * same file again updates the same endpoints instead of adding copies.
 * @example derivedEndpointId("EMAIL", "ada@example.com") // "5f1c…" (32 hex characters)
 */
export function derivedEndpointId(channelType: string, address: string): string {
  return hash("sha256", `${channelType}\n${address}`).slice(0, 32);
}

/**
 * Turns a parsed definition (which it takes over) into a record: an Id is kept or derived; a definition that only names
 * User.UserId (one or more ids separated by spaces) refers to that user's endpoints, as Pinpoint's
 * user-id segment files do.
 */
export function toRecord(line: number, definition: EndpointDefinition): ImportRecord {
  if (definition.Id) return { line, endpoint: definition as EndpointUpdate };
  if (definition.ChannelType && definition.Address) {
    definition.Id = derivedEndpointId(definition.ChannelType, definition.Address);
    return { line, endpoint: definition as EndpointUpdate };
  }
  const userId = definition.User?.UserId;
  if (userId && onlyNamesUser(definition)) {
    return { line, userIds: userId.split(/\s+/).filter(Boolean) };
  }
  return { line, error: `line ${line}: an endpoint needs an Id, or a ChannelType and an Address` };
}

function onlyNamesUser({ User, ...rest }: EndpointDefinition): boolean {
  return (
    Object.values(rest).every((value) => value === undefined) && Object.keys(User?.UserAttributes ?? {}).length === 0
  );
}
