/**
 * Reading and retiring versions: GetXTemplate (the active version unless one is named),
 * DeleteXTemplate (one version, or the whole template), UpdateTemplateActiveVersion and
 * ListTemplateVersions.
 */
import { badRequest } from "../api/errors.js";
import { nextToken, type Page } from "../paging.js";
import type { Services } from "../services.js";
import type { Template, TemplateType } from "./model.js";
import { requireTemplate, requireVersion, versionSummary } from "./queries.js";
import { templateResponse, toTemplate, versionResponse } from "./response.js";

/** The version a Get names, or the active one; with the template's row. */
async function readVersion(services: Services, name: string, type: TemplateType, version: number | undefined) {
  const template = await requireTemplate(services.store.db, name, type);
  const row = await requireVersion(services.store.db, name, type, version ?? template.active_version);
  return { template, row };
}

/** GetEmailTemplate, GetSmsTemplate...: the active version unless `version` names another. */
export async function getTemplate(services: Services, type: TemplateType, name: string, version?: number) {
  const { template, row } = await readVersion(services, name, type, version);
  return templateResponse(services.config, template, row);
}

/**
 * The version of a template that sending uses: the active one, unless a message names another.
 * Answers Pinpoint's 404 when there is no such template or version.
 * @example const template = await getActiveTemplate(services, "Welcome", "EMAIL");
 */
export async function getActiveTemplate<T extends TemplateType>(
  services: Services,
  name: string,
  type: T,
  version?: number,
): Promise<Template<T>> {
  const { row } = await readVersion(services, name, type, version);
  return toTemplate(type, row);
}

/**
 * Without a version, deletes the template and all its versions. With one, deletes that version; the
 * active version is kept (sending must always find one) unless it is the last, which takes the
 * template with it.
 */
export async function deleteTemplate(
  services: Services,
  type: TemplateType,
  name: string,
  version: number | undefined,
  requestId: string,
) {
  await services.store.db.transaction().execute(async (trx) => {
    const template = await requireTemplate(trx, name, type);
    const whole = trx.deleteFrom("templates").where("name", "=", name).where("type", "=", type);
    if (version === undefined) {
      await whole.execute();
      return;
    }
    await requireVersion(trx, name, type, version);
    const { count } = await versionSummary(trx, name, type);
    if (count === 1) {
      await whole.execute();
      return;
    }
    if (version === template.active_version) {
      throw badRequest(`Version ${version} is the active version: make another version active before deleting it`);
    }
    await trx
      .deleteFrom("template_versions")
      .where("name", "=", name)
      .where("type", "=", type)
      .where("version", "=", version)
      .execute();
  });
  return { Message: "Accepted", RequestID: requestId };
}

/** UpdateTemplateActiveVersion: `latest` or an existing version's number becomes the one sending uses. */
export async function updateActiveVersion(
  services: Services,
  type: TemplateType,
  name: string,
  version: string | undefined,
  requestId: string,
) {
  if (version === undefined || version === "") throw badRequest("Version is required: latest or a version number");
  await services.store.db.transaction().execute(async (trx) => {
    await requireTemplate(trx, name, type);
    let active: number;
    if (version.toLowerCase() === "latest") {
      active = (await versionSummary(trx, name, type)).latest;
    } else {
      if (!/^[0-9]+$/.test(version)) throw badRequest(`Invalid template version "${version}": use latest or a number`);
      active = Number(version);
      await requireVersion(trx, name, type, active);
    }
    await trx
      .updateTable("templates")
      .set({ active_version: active, last_modified_date: new Date().toISOString() })
      .where("name", "=", name)
      .where("type", "=", type)
      .execute();
  });
  return { Message: "OK", RequestID: requestId };
}

/** ListTemplateVersions: every version, oldest first, a page at a time. */
export async function listTemplateVersions(
  services: Services,
  type: TemplateType,
  name: string,
  page: Page,
  requestId: string,
) {
  await requireTemplate(services.store.db, name, type);
  let query = services.store.db
    .selectFrom("template_versions")
    .selectAll()
    .where("name", "=", name)
    .where("type", "=", type)
    .orderBy("version")
    .limit(page.size);
  if (page.after) query = query.where("version", ">", Number(page.after[0]));
  const rows = await query.execute();
  return {
    Item: rows.map(versionResponse),
    NextToken: nextToken(rows, page, (row: { version: number }) => [String(row.version)]),
    Message: "OK",
    RequestID: requestId,
  };
}
