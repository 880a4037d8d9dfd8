/**
 * Address-level opt-outs: a person who said "stop" on an address Waymark keeps no endpoint for.
 * An endpoint's own choice lives on the endpoint (OptOut=ALL) and is checked there; these rows
 * cover the rest: a one-click unsubscribe from an email sent to a bare address (SendMessages
 * `Addresses`), an SMS STOP from a number with no endpoint. Anything that sends to a bare address
 * asks `isOptedOut` (or `optedOutAddresses` for a batch) first and answers OPT_OUT instead of
 * sending; a START keyword or an explicit re-subscription calls `optIn`.
 *
 * Addresses are kept per app and channel (EMAIL, SMS, VOICE...). Email addresses are compared
 * without regard to case (stored lowercased), every other address exactly as given (E.164 for
 * SMS and VOICE): pass them as the channel's address checks accept them. All functions take the
 * caller's database or transaction, so an opt-out commits with whatever recorded it.
 */
import type { Kysely } from "kysely";
import type { Database } from "../store/index.js";
import type { DeliveryChannel } from "./model.js";

/**
 * Whether the address opted out on this channel of this app.
 * @example if (await isOptedOut(db, appId, "SMS", "+14155550100")) return optOutResult;
 */
export async function isOptedOut(
  db: Kysely<Database>,
  appId: string,
  channel: DeliveryChannel,
  address: string,
): Promise<boolean> {
  return (await optedOutAddresses(db, appId, channel, [address])).size > 0;
}

/**
 * Which of these addresses opted out on this channel, as given (not normalised), in one query per
 * 500 addresses: for checking a whole batch of recipients before queuing it.
 * @example const refused = await optedOutAddresses(trx, appId, "EMAIL", recipients.map((r) => r.address));
 */
export async function optedOutAddresses(
  db: Kysely<Database>,
  appId: string,
  channel: DeliveryChannel,
  addresses: string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < addresses.length; i += 500) {
    const slice = addresses.slice(i, i + 500);
    const rows = await db
      .selectFrom("opt_outs")
      .select("address")
      .where("app_id", "=", appId)
      .where("channel", "=", channel)
      .where(
        "address",
        "in",
        slice.map((address) => normalise(channel, address)),
      )
      .execute();
    const stored = new Set(rows.map((row) => row.address));
    for (const address of slice) if (stored.has(normalise(channel, address))) found.add(address);
  }
  return found;
}

/**
 * Records that the address opted out on this channel; answers whether that is news (false when it
 * had opted out already), so callers record an opt-out event once.
 * @example if (await optOut(trx, appId, "SMS", from)) events.push(optOutEvent);
 */
export async function optOut(
  db: Kysely<Database>,
  appId: string,
  channel: DeliveryChannel,
  address: string,
  now = Date.now(),
): Promise<boolean> {
  const inserted = await db
    .insertInto("opt_outs")
    .values({ app_id: appId, channel, address: normalise(channel, address), created_ms: now })
    .onConflict((oc) => oc.columns(["app_id", "channel", "address"]).doNothing())
    .returning("address")
    .execute();
  return inserted.length > 0;
}

/**
 * Lets the address receive messages on this channel again; answers whether it had opted out.
 * @example await optIn(trx, appId, "SMS", from); // after START
 */
export async function optIn(
  db: Kysely<Database>,
  appId: string,
  channel: DeliveryChannel,
  address: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom("opt_outs")
    .where("app_id", "=", appId)
    .where("channel", "=", channel)
    .where("address", "=", normalise(channel, address))
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

function normalise(channel: DeliveryChannel, address: string): string {
  return channel === "EMAIL" ? address.trim().toLowerCase() : address;
}
