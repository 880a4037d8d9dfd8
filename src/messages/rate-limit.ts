/**
 * Provider rate limits (messages per second per sender: a from-address, an origination number),
 * held in the database so every Waymark process draws from the same bucket. A token bucket holding
 * at most one second of sending.
 */
import type { Kysely } from "kysely";
import type { Database, StoreDialect } from "../store/index.js";

/**
 * Takes up to `wanted` tokens from the sender's bucket; answers how many it got.
 * @example const granted = await takeTokens(db, dialect, "EMAIL:news@example.com", 500, 100);
 */
export async function takeTokens(
  db: Kysely<Database>,
  dialect: StoreDialect,
  sender: string,
  wanted: number,
  perSecond: number,
  now = Date.now(),
): Promise<number> {
  return db.transaction().execute((trx) => drawTokens(trx, dialect, sender, wanted, perSecond, now));
}

/**
 * `takeTokens` inside the caller's transaction, for work that must commit with what the tokens
 * were spent on (the journey engine's batch). On PostgreSQL the bucket stays locked until then.
 * @example const granted = await drawTokens(trx, dialect, `journey:${journeyId}`, 40, 10, clock.now());
 */
export async function drawTokens(
  trx: Kysely<Database>,
  dialect: StoreDialect,
  sender: string,
  wanted: number,
  perSecond: number,
  now = Date.now(),
): Promise<number> {
  await trx
    .insertInto("sender_rates")
    .values({ sender, tokens: perSecond, updated_ms: now })
    .onConflict((oc) => oc.column("sender").doNothing())
    .execute();
  const bucket = await trx
    .selectFrom("sender_rates")
    .select(["tokens", "updated_ms"])
    .where("sender", "=", sender)
    .$if(dialect.supportsSkipLocked, (q) => q.forUpdate())
    .executeTakeFirstOrThrow();
  const refilled = Math.min(perSecond, bucket.tokens + (Math.max(0, now - bucket.updated_ms) / 1000) * perSecond);
  const granted = Math.min(wanted, Math.floor(refilled));
  await trx
    .updateTable("sender_rates")
    .set({ tokens: refilled - granted, updated_ms: now })
    .where("sender", "=", sender)
    .execute();
  return granted;
}
