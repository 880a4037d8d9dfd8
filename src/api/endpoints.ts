/** Endpoints, user endpoints, attribute removal, and PutEvents. */
import type {
  EndpointBatchRequest,
  EndpointRequest,
  EventsRequest,
  UpdateAttributesRequest,
} from "@aws-sdk/client-pinpoint";
import { requireApp } from "../apps/index.js";
import {
  deleteEndpoint,
  deleteUserEndpoints,
  endpointLimits,
  getEndpoint,
  getUserEndpoints,
  removeAttributes,
  updateEndpoints,
} from "../endpoints/index.js";
import { putEvents } from "../events/index.js";
import { badRequest } from "./errors.js";
import { type Handlers, member } from "./handler.js";

const accepted = (requestId: string) => ({ Message: "Accepted", RequestID: requestId });

export const endpointHandlers: Handlers = {
  UpdateEndpoint: async (input, { services, requestId }) => {
    const appId = member<string>(input, "ApplicationId");
    await requireApp(services, appId);
    const request = member<EndpointRequest>(input, "EndpointRequest");
    await updateEndpoints(services, appId, [{ ...request, Id: member<string>(input, "EndpointId") }]);
    return accepted(requestId);
  },
  UpdateEndpointsBatch: async (input, { services, requestId }) => {
    const appId = member<string>(input, "ApplicationId");
    const items = member<EndpointBatchRequest>(input, "EndpointBatchRequest").Item ?? [];
    if (items.length === 0) throw badRequest("Item must hold at least one endpoint");
    if (items.length > endpointLimits.itemsPerBatch) {
      throw badRequest(`A batch can hold at most ${endpointLimits.itemsPerBatch} endpoints`);
    }
    await requireApp(services, appId);
    await updateEndpoints(
      services,
      appId,
      items.map((item) => ({ ...item, Id: item.Id ?? "" })),
    );
    return accepted(requestId);
  },
  GetEndpoint: (input, { services }) =>
    getEndpoint(services, member(input, "ApplicationId"), member(input, "EndpointId")),
  DeleteEndpoint: (input, { services }) =>
    deleteEndpoint(services, member(input, "ApplicationId"), member(input, "EndpointId")),
  GetUserEndpoints: (input, { services }) =>
    getUserEndpoints(services, member(input, "ApplicationId"), member(input, "UserId")),
  DeleteUserEndpoints: (input, { services }) =>
    deleteUserEndpoints(services, member(input, "ApplicationId"), member(input, "UserId")),
  RemoveAttributes: async (input, { services }) => {
    const appId = member<string>(input, "ApplicationId");
    const attributeType = member<string>(input, "AttributeType");
    await requireApp(services, appId);
    const blacklist = member<UpdateAttributesRequest>(input, "UpdateAttributesRequest").Blacklist ?? [];
    const removed = await removeAttributes(services.store.db, services.store.dialect, appId, attributeType, blacklist);
    return { ApplicationId: appId, AttributeType: attributeType, Attributes: removed };
  },
  PutEvents: (input, { services }) =>
    putEvents(services, member(input, "ApplicationId"), member<EventsRequest>(input, "EventsRequest")),
};
