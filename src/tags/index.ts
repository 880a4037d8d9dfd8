/**
 * Tags on any taggable resource, found by its ARN: TagResource, UntagResource, ListTagsForResource.
 * Each kind of resource says where its tags are kept; later resources (campaigns, journeys,
 * templates) add a line to `taggable`.
 */
import { badRequest, notFound } from "../api/errors.js";
import { parseArn, validateTags } from "../apps/index.js";
import type { Services } from "../services.js";
import { fromJson, toJson } from "../store/index.js";
import { parseTemplateArn } from "../templates/index.js";

type Tags = Record<string, string>;

interface TagStore {
  read(services: Services, appId: string, resource: string[]): Promise<Tags | undefined>;
  write(services: Services, appId: string, resource: string[], tags: Tags): Promise<void>;
}

/** Where the tags of a resource kept in its own table, by app and id, are. */
function appResourceTags(table: "segments" | "journeys"): TagStore {
  return {
    async read(services, appId, [, id]) {
      const row = await services.store.db
        .selectFrom(table)
        .select("tags")
        .where("app_id", "=", appId)
        .where("id", "=", id)
        .executeTakeFirst();
      return row ? fromJson<Tags>(row.tags) : undefined;
    },
    async write(services, appId, [, id], tags) {
      await services.store.db
        .updateTable(table)
        .set({ tags: toJson(tags) })
        .where("app_id", "=", appId)
        .where("id", "=", id)
        .execute();
    },
  };
}

const taggable: Record<string, TagStore> = {
  app: {
    async read(services, appId) {
      const row = await services.store.db.selectFrom("apps").select("tags").where("id", "=", appId).executeTakeFirst();
      return row ? fromJson<Tags>(row.tags) : undefined;
    },
    async write(services, appId, _resource, tags) {
      await services.store.db
        .updateTable("apps")
        .set({ tags: toJson(tags) })
        .where("id", "=", appId)
        .execute();
    },
  },
  segments: appResourceTags("segments"),
  journeys: appResourceTags("journeys"),
  templates: {
    async read(services, _appId, [, name, type]) {
      const row = await services.store.db
        .selectFrom("templates")
        .select("tags")
        .where("name", "=", name)
        .where("type", "=", type)
        .executeTakeFirst();
      return row ? fromJson<Tags>(row.tags) : undefined;
    },
    async write(services, _appId, [, name, type], tags) {
      await services.store.db
        .updateTable("templates")
        .set({ tags: toJson(tags) })
        .where("name", "=", name)
        .where("type", "=", type)
        .execute();
    },
  },
};

function locate(arn: string): { store: TagStore; appId: string; resource: string[] } {
  // Templates are account-wide: their ARN names no app.
  const template = parseTemplateArn(arn);
  if (template) return { store: taggable.templates, appId: "", resource: ["templates", template.name, template.type] };
  const parsed = parseArn(arn);
  if (!parsed) throw badRequest(`Invalid resource ARN: ${arn}`);
  const kind = parsed.resource.length === 0 ? "app" : parsed.resource[0];
  const store = taggable[kind];
  if (!store || (kind !== "app" && parsed.resource.length !== 2)) throw badRequest(`Resource cannot be tagged: ${arn}`);
  return { store, appId: parsed.appId, resource: parsed.resource };
}

export async function listTags(services: Services, arn: string): Promise<Tags> {
  const { store, appId, resource } = locate(arn);
  const tags = await store.read(services, appId, resource);
  if (!tags) throw notFound(`Resource not found: ${arn}`);
  return tags;
}

export async function tagResource(services: Services, arn: string, add: Tags): Promise<void> {
  const { store, appId, resource } = locate(arn);
  const tags = await store.read(services, appId, resource);
  if (!tags) throw notFound(`Resource not found: ${arn}`);
  const next = { ...tags, ...add };
  validateTags(next);
  await store.write(services, appId, resource, next);
}

export async function untagResource(services: Services, arn: string, keys: string[]): Promise<void> {
  const { store, appId, resource } = locate(arn);
  const tags = await store.read(services, appId, resource);
  if (!tags) throw notFound(`Resource not found: ${arn}`);
  const next = Object.fromEntries(Object.entries(tags).filter(([key]) => !keys.includes(key)));
  await store.write(services, appId, resource, next);
}
