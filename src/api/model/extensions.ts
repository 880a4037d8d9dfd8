/**
 * Waymark's own operations, beyond Pinpoint's model, written in the model's form so they are routed,
 * validated, signed and answered exactly like Pinpoint's (docs/extensions.md describes them).
 * An extension's name never collides with a Pinpoint operation's.
 */
import type { Operation, Shape } from "./index.js";

const applicationId = { location: "uri", locationName: "application-id" } as const;

/** A broadcast with its progress (journeys/broadcasts/model.ts BroadcastResponse). */
const broadcastResponse: Shape = {
  type: "structure",
  members: {
    ApplicationId: {},
    Id: {},
    EventType: {},
    Attributes: { type: "map", key: {}, value: {} },
    Metrics: { type: "map", key: {}, value: { type: "double" } },
    CreationDate: {},
    CompletionDate: {},
    State: {},
    Journeys: {
      type: "list",
      member: {
        type: "structure",
        members: {
          JourneyId: {},
          SegmentId: {},
          SegmentSize: { type: "integer" },
          EndpointsEntered: { type: "integer" },
          State: {},
        },
      },
    },
    EndpointsEntered: { type: "integer" },
    SegmentSize: { type: "integer" },
    Message: {},
  },
};

export const extensionOperations: Operation[] = [
  {
    name: "GetSegmentSize",
    http: { method: "GET", requestUri: "/v1/apps/{application-id}/segments/{segment-id}/size", responseCode: 200 },
    input: {
      type: "structure",
      members: {
        ApplicationId: applicationId,
        SegmentId: { location: "uri", locationName: "segment-id" },
        Version: { location: "querystring", locationName: "version" },
      },
      required: ["ApplicationId", "SegmentId"],
    },
    output: {
      type: "structure",
      members: {
        SegmentSize: {
          type: "structure",
          members: { ApplicationId: {}, SegmentId: {}, Version: { type: "integer" }, Size: { type: "integer" } },
        },
      },
      payload: "SegmentSize",
    },
  },
  {
    name: "ListSandboxMessages",
    http: { method: "GET", requestUri: "/v1/apps/{application-id}/sandbox/messages", responseCode: 200 },
    input: {
      type: "structure",
      members: {
        ApplicationId: applicationId,
        PageSize: { location: "querystring", locationName: "page-size" },
        Token: { location: "querystring", locationName: "token" },
      },
      required: ["ApplicationId"],
    },
    output: {
      type: "structure",
      members: {
        SandboxMessagesResponse: {
          type: "structure",
          members: {
            Item: {
              type: "list",
              member: {
                type: "structure",
                members: {
                  MessageId: {},
                  ChannelType: {},
                  Address: {},
                  CreationDate: {},
                  Content: { type: "map", key: {}, value: {} },
                },
              },
            },
            NextToken: {},
          },
        },
      },
      payload: "SandboxMessagesResponse",
    },
  },
  {
    name: "CreateBroadcast",
    http: { method: "POST", requestUri: "/v1/apps/{application-id}/broadcasts", responseCode: 202 },
    input: {
      type: "structure",
      members: {
        ApplicationId: applicationId,
        WriteBroadcastRequest: {
          type: "structure",
          members: {
            Id: {},
            EventType: {},
            Attributes: { type: "map", key: {}, value: {} },
            Metrics: { type: "map", key: {}, value: { type: "double" } },
          },
        },
      },
      required: ["ApplicationId", "WriteBroadcastRequest"],
      payload: "WriteBroadcastRequest",
    },
    output: { type: "structure", members: { BroadcastResponse: broadcastResponse }, payload: "BroadcastResponse" },
  },
  {
    name: "GetBroadcast",
    http: { method: "GET", requestUri: "/v1/apps/{application-id}/broadcasts/{broadcast-id}", responseCode: 200 },
    input: {
      type: "structure",
      members: { ApplicationId: applicationId, BroadcastId: { location: "uri", locationName: "broadcast-id" } },
      required: ["ApplicationId", "BroadcastId"],
    },
    output: { type: "structure", members: { BroadcastResponse: broadcastResponse }, payload: "BroadcastResponse" },
  },
  {
    name: "ListBroadcasts",
    http: { method: "GET", requestUri: "/v1/apps/{application-id}/broadcasts", responseCode: 200 },
    input: {
      type: "structure",
      members: {
        ApplicationId: applicationId,
        PageSize: { location: "querystring", locationName: "page-size" },
        Token: { location: "querystring", locationName: "token" },
      },
      required: ["ApplicationId"],
    },
    output: {
      type: "structure",
      members: {
        BroadcastsResponse: {
          type: "structure",
          members: { Item: { type: "list", member: broadcastResponse }, NextToken: {} },
        },
      },
      payload: "BroadcastsResponse",
    },
  },
];
