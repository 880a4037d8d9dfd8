/**
 * What a message falls back on when its own configuration does not say: the FromAddress of the
 * app's email channel and the SenderId of its SMS channel (UpdateEmailChannel, UpdateSmsChannel).
 */
import type { Services } from "../services.js";
import { fromJson } from "../store/index.js";

export interface ChannelDefaults {
  fromAddress?: string;
  senderId?: string;
}

/**
 * The app's channel defaults, read through `services` (a transaction's, when the caller is in one).
 * @example const defaults = await channelDefaults(services, appId); // { fromAddress: "news@example.com" }
 */
export async function channelDefaults(services: Services, appId: string): Promise<ChannelDefaults> {
  const rows = await services.store.db
    .selectFrom("channels")
    .select(["channel_type", "settings"])
    .where("app_id", "=", appId)
    .where("channel_type", "in", ["EMAIL", "SMS"])
    .execute();
  const settings = Object.fromEntries(
    rows.map((row) => [row.channel_type, fromJson<Record<string, string>>(row.settings)]),
  );
  return { fromAddress: settings.EMAIL?.FromAddress, senderId: settings.SMS?.SenderId };
}
