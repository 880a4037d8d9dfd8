/**
 * Endpoints: Pinpoint's addresses of one person on one channel, with their attributes.
 */
import { badRequest, notFound } from "../api/errors.js";
import type { Services } from "../services.js";
import type { Endpoint, EndpointUpdate } from "./model.js";
import { deleteEndpointRows, readEndpoints, readUserEndpoints } from "./queries.js";
import { upsertEndpoints } from "./upsert.js";

export type { Endpoint, EndpointUpdate } from "./model.js";
export { channelTypes, endpointLimits } from "./model.js";
export { fromRow } from "./queries.js";
export { removeAttributes } from "./remove-attributes.js";
export { type UpsertResult, upsertEndpoints } from "./upsert.js";
export { checkEndpointUpdate } from "./validate.js";

/** UpdateEndpoint and UpdateEndpointsBatch: all or nothing, the first refusal as a 400. */
export async function updateEndpoints(services: Services, appId: string, updates: EndpointUpdate[]): Promise<void> {
  const { db, dialect } = services.store;
  await db.transaction().execute(async (trx) => {
    const results = await upsertEndpoints(trx, dialect, appId, updates);
    const refused = results.find((r) => r.error);
    if (refused)
      throw badRequest(updates.length > 1 ? `Endpoint ${refused.Id}: ${refused.error}` : String(refused.error));
  });
}

export async function getEndpoint(services: Services, appId: string, endpointId: string): Promise<Endpoint> {
  const { db, dialect } = services.store;
  const endpoint = (await readEndpoints(db, dialect, appId, [endpointId])).get(endpointId);
  if (!endpoint) throw notFound(`Endpoint not found: ${endpointId}`);
  return endpoint;
}

export async function deleteEndpoint(services: Services, appId: string, endpointId: string): Promise<Endpoint> {
  return services.store.db.transaction().execute(async (trx) => {
    const endpoint = (await readEndpoints(trx, services.store.dialect, appId, [endpointId])).get(endpointId);
    if (!endpoint) throw notFound(`Endpoint not found: ${endpointId}`);
    await deleteEndpointRows(trx, appId, [endpointId]);
    return endpoint;
  });
}

export async function getUserEndpoints(services: Services, appId: string, userId: string) {
  const endpoints = await readUserEndpoints(services.store.db, appId, userId);
  if (endpoints.length === 0) throw notFound(`No endpoints for user ${userId}`);
  return { Item: endpoints };
}

export async function deleteUserEndpoints(services: Services, appId: string, userId: string) {
  return services.store.db.transaction().execute(async (trx) => {
    const endpoints = await readUserEndpoints(trx, appId, userId);
    if (endpoints.length === 0) throw notFound(`No endpoints for user ${userId}`);
    await deleteEndpointRows(
      trx,
      appId,
      endpoints.map((e) => e.Id),
    );
    return { Item: endpoints };
  });
}
