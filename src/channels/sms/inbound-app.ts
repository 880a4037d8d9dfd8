/**
 * Which application an inbound SMS belongs to, when the provider's callback does not say (SMPP
 * never does; a Twilio webhook URL may carry `?app=`). The number it was sent to decides first:
 * the app whose SMS channel has it as ShortCode or SenderId. Failing that, the sender decides: the
 * app with the most recently changed SMS endpoint at that number, the one that knows this person.
 */
import type { Kysely } from "kysely";
import { type Database, fromJson } from "../../store/index.js";

/** Answers the application id, or undefined when no app has the number or knows the sender. */
export async function inboundApp(
  db: Kysely<Database>,
  destinationNumber: string,
  originationNumber: string,
): Promise<string | undefined> {
  const channels = await db
    .selectFrom("channels")
    .select(["app_id", "settings"])
    .where("channel_type", "=", "SMS")
    .orderBy("app_id")
    .execute();
  const wanted = withoutPlus(destinationNumber);
  for (const channel of channels) {
    const { ShortCode, SenderId } = fromJson<{ ShortCode?: string; SenderId?: string }>(channel.settings);
    if ([ShortCode, SenderId].some((number) => number !== undefined && withoutPlus(number) === wanted)) {
      return channel.app_id;
    }
  }
  // Listing the apps first lets the (app_id, channel_type, address) index answer.
  const apps = await db.selectFrom("apps").select("id").execute();
  if (apps.length === 0) return undefined;
  const known = await db
    .selectFrom("endpoints")
    .select("app_id")
    .where(
      "app_id",
      "in",
      apps.map((app) => app.id),
    )
    .where("channel_type", "=", "SMS")
    .where("address", "=", originationNumber)
    .orderBy("effective_date", "desc")
    .limit(1)
    .executeTakeFirst();
  return known?.app_id;
}

function withoutPlus(number: string): string {
  return number.trim().replace(/^\+/, "");
}
