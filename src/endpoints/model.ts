/**
 * An endpoint as Waymark keeps it: Pinpoint's EndpointResponse, one per (application, Id).
 */
import type { EndpointDemographic, EndpointLocation, EndpointRequest } from "@aws-sdk/client-pinpoint";

export interface Endpoint {
  ApplicationId: string;
  Id: string;
  ChannelType?: string;
  Address?: string;
  Attributes: Record<string, string[]>;
  Metrics: Record<string, number>;
  User: { UserId?: string; UserAttributes: Record<string, string[]> };
  Demographic: EndpointDemographic;
  Location: EndpointLocation;
  OptOut: string;
  EndpointStatus: string;
  EffectiveDate: string;
  CreationDate: string;
  CohortId: string;
  RequestId?: string;
}

/** An upsert as UpdateEndpoint, UpdateEndpointsBatch, PutEvents and import jobs all express it. */
export type EndpointUpdate = EndpointRequest & { Id: string };

export const channelTypes = [
  "PUSH",
  "GCM",
  "APNS",
  "APNS_SANDBOX",
  "APNS_VOIP",
  "APNS_VOIP_SANDBOX",
  "ADM",
  "SMS",
  "VOICE",
  "EMAIL",
  "BAIDU",
  "CUSTOM",
  "IN_APP",
] as const;

/** Pinpoint's documented endpoint quotas (quotas.md, "Endpoint quotas"). */
export const endpointLimits = {
  attributesPerEndpoint: 250,
  attributeNameLength: 50,
  attributeValueLength: 100,
  valuesPerAttribute: 50,
  bytesPerEndpoint: 15 * 1024,
  endpointsPerUser: 15,
  endpointIdLength: 128,
  itemsPerBatch: 100,
} as const;
