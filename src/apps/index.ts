/**
 * Applications (Pinpoint projects): create, read, list, delete, settings and tags.
 */
import { randomUUID } from "node:crypto";
import type {
  ApplicationResponse,
  ApplicationSettingsResource,
  WriteApplicationSettingsRequest,
} from "@aws-sdk/client-pinpoint";
import { badRequest, notFound } from "../api/errors.js";
import { createdAfter, nextToken, type Page } from "../paging.js";
import type { Services } from "../services.js";
import { fromJson, toJson } from "../store/index.js";
import { appArn } from "./arn.js";
import { validateSettings } from "./settings.js";

export { appArn, parseArn } from "./arn.js";

type Tags = Record<string, string>;

interface StoredSettings extends WriteApplicationSettingsRequest {
  LastModifiedDate?: string;
}

/** Pinpoint's tag quotas: 50 tags, keys up to 128 characters, values up to 256. */
export function validateTags(tags: Tags): void {
  const entries = Object.entries(tags);
  if (entries.length > 50) throw badRequest("A resource can have at most 50 tags");
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128) throw badRequest(`Tag key "${key}" must be 1 to 128 characters`);
    if (key.toLowerCase().startsWith("aws:")) throw badRequest('Tag keys may not start with "aws:"');
    if (typeof value !== "string" || value.length > 256)
      throw badRequest(`Tag "${key}" value must be at most 256 characters`);
  }
}

function toResponse(services: Services, row: { id: string; name: string; creation_date: string; tags: unknown }) {
  return {
    Id: row.id,
    Arn: appArn(services.config, row.id),
    Name: row.name,
    CreationDate: row.creation_date,
    tags: fromJson<Tags>(row.tags),
  } satisfies ApplicationResponse;
}

export async function createApp(services: Services, name: string, tags: Tags = {}): Promise<ApplicationResponse> {
  if (!name.trim()) throw badRequest("Name must not be empty");
  validateTags(tags);
  const row = {
    id: randomUUID().replaceAll("-", ""),
    name,
    creation_date: new Date().toISOString(),
    settings: toJson({}),
    tags: toJson(tags),
  };
  await services.store.db.insertInto("apps").values(row).execute();
  return toResponse(services, row);
}

/** The app's row, or Pinpoint's 404 when there is none. */
export async function requireApp(services: Services, appId: string) {
  const row = await services.store.db.selectFrom("apps").selectAll().where("id", "=", appId).executeTakeFirst();
  if (!row) throw notFound(`Application not found: ${appId}`);
  return row;
}

export async function getApp(services: Services, appId: string): Promise<ApplicationResponse> {
  return toResponse(services, await requireApp(services, appId));
}

export async function listApps(services: Services, page: Page) {
  let query = services.store.db.selectFrom("apps").selectAll().orderBy("creation_date").orderBy("id").limit(page.size);
  if (page.after) query = query.where(createdAfter(page.after));
  const rows = await query.execute();
  return {
    Item: rows.map((row) => toResponse(services, row)),
    NextToken: nextToken(rows, page, (row: { creation_date: string; id: string }) => [row.creation_date, row.id]),
  };
}

/** Deletes the app and everything in it (endpoints, events, jobs, streams), answering what it was. */
export async function deleteApp(services: Services, appId: string): Promise<ApplicationResponse> {
  const row = await requireApp(services, appId);
  await services.store.db.transaction().execute(async (trx) => {
    for (const table of ["events", "stream_outbox", "segment_members"] as const) {
      await trx.deleteFrom(table).where("app_id", "=", appId).execute();
    }
    // Endpoints, channels, streams, segments and transfer jobs cascade from the app.
    await trx.deleteFrom("apps").where("id", "=", appId).execute();
  });
  return toResponse(services, row);
}

export async function getSettings(services: Services, appId: string): Promise<ApplicationSettingsResource> {
  const row = await requireApp(services, appId);
  const settings = fromJson<StoredSettings>(row.settings);
  return {
    ApplicationId: appId,
    CampaignHook: settings.CampaignHook ?? {},
    Limits: settings.Limits ?? {},
    QuietTime: settings.QuietTime ?? {},
    JourneyLimits: settings.JourneyLimits,
    LastModifiedDate: settings.LastModifiedDate ?? row.creation_date,
  };
}

/** Replaces the sections the request names, keeping the others, as Pinpoint does. */
export async function updateSettings(
  services: Services,
  appId: string,
  request: WriteApplicationSettingsRequest,
): Promise<ApplicationSettingsResource> {
  validateSettings(request);
  await services.store.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom("apps").select("settings").where("id", "=", appId).executeTakeFirst();
    if (!row) throw notFound(`Application not found: ${appId}`);
    const current = fromJson<StoredSettings>(row.settings);
    const next: StoredSettings = { ...current, LastModifiedDate: new Date().toISOString() };
    for (const key of Object.keys(request) as Array<keyof WriteApplicationSettingsRequest>) {
      if (request[key] !== undefined) Object.assign(next, { [key]: request[key] });
    }
    await trx
      .updateTable("apps")
      .set({ settings: toJson(next) })
      .where("id", "=", appId)
      .execute();
  });
  return getSettings(services, appId);
}
