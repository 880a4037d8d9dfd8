/**
 * The `channels` table: one row per configured channel of an application. The settings column
 * holds the channel request's members as merged over time (credentials included, for the senders)
 * and who last changed them. Writes are conditional on the version read, so two concurrent updates
 * never lose one another: the loser reads again and retries.
 */
import type { Kysely } from "kysely";
import { type Database, fromJson, toJson } from "../../store/index.js";
import type { ChannelType } from "./channel-types.js";

export interface StoredChannel {
  appId: string;
  type: ChannelType;
  /** The request members, by Pinpoint's names, secrets included. */
  settings: Record<string, unknown>;
  lastModifiedBy?: string;
  version: number;
  creationDate: string;
  lastModifiedDate: string;
}

type Row = Database["channels"];

function fromRow(row: Row): StoredChannel {
  const { LastModifiedBy, ...settings } = fromJson<Record<string, unknown>>(row.settings);
  return {
    appId: row.app_id,
    type: row.channel_type as ChannelType,
    settings,
    lastModifiedBy: typeof LastModifiedBy === "string" ? LastModifiedBy : undefined,
    version: row.version,
    creationDate: row.creation_date,
    lastModifiedDate: row.last_modified_date,
  };
}

/** The channel as stored, or undefined when the application has not set it. */
export async function findChannel(
  db: Kysely<Database>,
  appId: string,
  type: ChannelType,
): Promise<StoredChannel | undefined> {
  const row = await db
    .selectFrom("channels")
    .selectAll()
    .where("app_id", "=", appId)
    .where("channel_type", "=", type)
    .executeTakeFirst();
  return row && fromRow(row);
}

/** Every channel the application has set. */
export async function listChannels(db: Kysely<Database>, appId: string): Promise<StoredChannel[]> {
  const rows = await db.selectFrom("channels").selectAll().where("app_id", "=", appId).execute();
  return rows.map(fromRow);
}

/**
 * Writes the channel if it is still at `readVersion` (undefined: not created yet). False when another
 * writer changed it since it was read.
 */
export async function saveChannel(
  db: Kysely<Database>,
  channel: StoredChannel,
  readVersion: number | undefined,
): Promise<boolean> {
  const settings = toJson({ ...channel.settings, LastModifiedBy: channel.lastModifiedBy });
  if (readVersion === undefined) {
    const result = await db
      .insertInto("channels")
      .values({
        app_id: channel.appId,
        channel_type: channel.type,
        settings,
        version: channel.version,
        creation_date: channel.creationDate,
        last_modified_date: channel.lastModifiedDate,
      })
      .onConflict((conflict) => conflict.columns(["app_id", "channel_type"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const result = await db
    .updateTable("channels")
    .set({ settings, version: channel.version, last_modified_date: channel.lastModifiedDate })
    .where("app_id", "=", channel.appId)
    .where("channel_type", "=", channel.type)
    .where("version", "=", readVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deletes the channel if it is still at the version read; false when another writer changed it first. */
export async function removeChannel(db: Kysely<Database>, channel: StoredChannel): Promise<boolean> {
  const result = await db
    .deleteFrom("channels")
    .where("app_id", "=", channel.appId)
    .where("channel_type", "=", channel.type)
    .where("version", "=", channel.version)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
