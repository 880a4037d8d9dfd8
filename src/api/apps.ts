/** Apps, application settings and tags. */
import type { CreateApplicationRequest, TagsModel, WriteApplicationSettingsRequest } from "@aws-sdk/client-pinpoint";
import { createApp, deleteApp, getApp, getSettings, listApps, updateSettings } from "../apps/index.js";
import { readPage } from "../paging.js";
import { listTags, tagResource, untagResource } from "../tags/index.js";
import { type Handlers, member } from "./handler.js";

export const appHandlers: Handlers = {
  CreateApp: async (input, { services }) => {
    const request = member<CreateApplicationRequest>(input, "CreateApplicationRequest");
    return createApp(services, request.Name ?? "", request.tags);
  },
  GetApp: (input, { services }) => getApp(services, member(input, "ApplicationId")),
  GetApps: (input, { services }) => listApps(services, readPage(input.PageSize, input.Token)),
  DeleteApp: (input, { services }) => deleteApp(services, member(input, "ApplicationId")),
  GetApplicationSettings: (input, { services }) => getSettings(services, member(input, "ApplicationId")),
  UpdateApplicationSettings: (input, { services }) =>
    updateSettings(
      services,
      member(input, "ApplicationId"),
      member<WriteApplicationSettingsRequest>(input, "WriteApplicationSettingsRequest"),
    ),
  ListTagsForResource: async (input, { services }) => ({
    tags: await listTags(services, member(input, "ResourceArn")),
  }),
  TagResource: (input, { services }) =>
    tagResource(services, member(input, "ResourceArn"), member<TagsModel>(input, "TagsModel").tags ?? {}),
  UntagResource: (input, { services }) =>
    untagResource(services, member(input, "ResourceArn"), member<string[]>(input, "TagKeys")),
};
