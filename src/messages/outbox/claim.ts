import type { Kysely, Selectable } from "kysely";
import { type Database, fromJson, type StoreDialect } from "../../store/index.js";
import type { MessagesTable } from "../../store/schema.js";
import type { MessageContent, MessageOrigin, OutboundMessage } from "../model.js";

export interface ClaimedMessage extends OutboundMessage {
  sender: string;
  maxAttempts: number;
  sendKey: string;
}

/**
 * Claims due messages and marks them SENDING in one committed statement, before any provider is
 * called: that row is the send key on record. The lease (`next_attempt_ms`) only matters if this
 * process dies mid-send; see `claimInterrupted` for what happens to such messages.
 * @example const batch = await claimMessages(db, dialect, { limit: 500, leaseMs: 120_000 });
 */
export async function claimMessages(
  db: Kysely<Database>,
  dialect: StoreDialect,
  options: { limit: number; leaseMs: number; ids?: string[]; now?: number },
): Promise<ClaimedMessage[]> {
  const now = options.now ?? Date.now();
  const rows = await db
    .updateTable("messages")
    .set((eb) => ({
      status: "SENDING",
      attempts: eb("attempts", "+", 1),
      next_attempt_ms: now + options.leaseMs,
      updated_ms: now,
    }))
    .where("id", "in", (eb) =>
      eb
        .selectFrom("messages")
        .select("id")
        .where("status", "=", "QUEUED")
        // Named messages are claimed whatever their due time: a direct send delivers its own at once.
        .$if(options.ids === undefined, (q) => q.where("next_attempt_ms", "<=", now))
        .$if(options.ids !== undefined, (q) => q.where("id", "in", options.ids ?? []))
        .orderBy("next_attempt_ms")
        .limit(options.limit)
        .$if(dialect.supportsSkipLocked, (q) => q.forUpdate().skipLocked()),
    )
    .returningAll()
    .execute();
  return rows.map(toClaimed);
}

function toClaimed(row: Selectable<MessagesTable>): ClaimedMessage {
  return {
    id: row.id,
    sendKey: row.send_key,
    appId: row.app_id,
    channel: row.channel as OutboundMessage["channel"],
    address: row.address,
    endpointId: row.endpoint_id ?? undefined,
    sender: row.sender,
    content: fromJson<MessageContent>(row.content),
    origin: fromJson<MessageOrigin>(row.origin),
    context: fromJson<Record<string, string>>(row.context),
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
  };
}

/**
 * Messages whose sender died mid-send (SENDING past their lease): the provider may or may not have
 * them. They are claimed once more, marked with an attempt count that forbids any retry, for
 * `MessageDispatcher` to settle without ever sending them again.
 */
export async function claimInterrupted(
  db: Kysely<Database>,
  dialect: StoreDialect,
  options: { limit: number; leaseMs: number; now?: number },
): Promise<ClaimedMessage[]> {
  const now = options.now ?? Date.now();
  const rows = await db
    .updateTable("messages")
    .set((eb) => ({ next_attempt_ms: now + options.leaseMs, attempts: eb.ref("max_attempts"), updated_ms: now }))
    .where("id", "in", (eb) =>
      eb
        .selectFrom("messages")
        .select("id")
        .where("status", "=", "SENDING")
        .where("next_attempt_ms", "<", now)
        .limit(options.limit)
        .$if(dialect.supportsSkipLocked, (q) => q.forUpdate().skipLocked()),
    )
    .returningAll()
    .execute();
  return rows.map(toClaimed);
}
