/**
 * CreateXTemplate and UpdateXTemplate: a new template starts at version 1, which is active; an
 * update either overwrites the latest version or, with create-new-version, adds the next one
 * (numbers are never reused). Tags are taken at creation only: Pinpoint ignores them on updates
 * and manages them through TagResource.
 */
import { badRequest, notFound } from "../api/errors.js";
import { validateTags } from "../apps/index.js";
import type { Services } from "../services.js";
import { toJson } from "../store/index.js";
import { templateArn } from "./arn.js";
import { checkTemplateName, type TemplateType, templateLimits } from "./model.js";
import { requireVersion, versionSummary } from "./queries.js";
import { readTemplateRequest, type TemplateRequest } from "./request.js";

/** CreateTemplateMessageBody. */
export interface CreatedTemplate {
  Arn: string;
  Message: string;
  RequestID: string;
}

export async function createTemplate(
  services: Services,
  type: TemplateType,
  name: string,
  request: TemplateRequest | undefined,
  requestId: string,
): Promise<CreatedTemplate> {
  checkTemplateName(name);
  const fields = readTemplateRequest(type, request);
  const tags = request?.tags ?? {};
  validateTags(tags);
  const now = new Date().toISOString();
  await services.store.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("templates")
      .values({
        name,
        type,
        active_version: 1,
        latest_version: 1,
        creation_date: now,
        last_modified_date: now,
        tags: toJson(tags),
      })
      .onConflict((oc) => oc.columns(["name", "type"]).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) {
      throw badRequest(`Template already exists: ${name} (${type})`);
    }
    await trx
      .insertInto("template_versions")
      .values({ name, type, version: 1, ...fields, creation_date: now, last_modified_date: now })
      .execute();
  });
  return { Arn: templateArn(services.config, name, type), Message: "Created", RequestID: requestId };
}

export interface UpdateOptions {
  /** Save as a new version rather than overwrite the latest one. */
  createNewVersion?: boolean;
  /** The version to overwrite; it must be the latest, which guards against two editors racing. */
  version?: number;
}

export async function updateTemplate(
  services: Services,
  type: TemplateType,
  name: string,
  request: TemplateRequest | undefined,
  { createNewVersion = false, version }: UpdateOptions,
  requestId: string,
): Promise<{ Message: string; RequestID: string }> {
  if (createNewVersion && version !== undefined) {
    throw badRequest("Give either create-new-version=true or a version to overwrite, not both");
  }
  const fields = readTemplateRequest(type, request);
  const now = new Date().toISOString();
  await services.store.db.transaction().execute(async (trx) => {
    const { latest, count } = await versionSummary(trx, name, type);
    if (count === 0) throw notFound(`Template not found: ${name} (${type})`);
    if (createNewVersion) {
      if (count >= templateLimits.versionsPerTemplate) {
        throw badRequest(`A template can have at most ${templateLimits.versionsPerTemplate} versions`);
      }
      // Taking the number by incrementing the row makes concurrent saves queue on it (a row lock on
      // PostgreSQL, the single writer on SQLite), so two new versions never get the same number.
      const numbered = await trx
        .updateTable("templates")
        .set((eb) => ({ latest_version: eb("latest_version", "+", 1), last_modified_date: now }))
        .where("name", "=", name)
        .where("type", "=", type)
        .returning("latest_version")
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("template_versions")
        .values({
          name,
          type,
          version: numbered.latest_version,
          ...fields,
          creation_date: now,
          last_modified_date: now,
        })
        .execute();
      return;
    }
    if (version !== undefined && version !== latest) {
      await requireVersion(trx, name, type, version);
      throw badRequest(`Only the latest version (${latest}) can be overwritten; version ${version} is older`);
    }
    await trx
      .updateTable("template_versions")
      .set({ ...fields, last_modified_date: now })
      .where("name", "=", name)
      .where("type", "=", type)
      .where("version", "=", latest)
      .execute();
    await trx
      .updateTable("templates")
      .set({ last_modified_date: now })
      .where("name", "=", name)
      .where("type", "=", type)
      .execute();
  });
  return { Message: "Accepted", RequestID: requestId };
}
