import type { Kysely, Selectable } from "kysely";
import { type Database, fromJson, type StoreDialect } from "../../store/index.js";
import type { MessagesTable } from "../../store/schema.js";
import type { MessageContent, MessageOrigin, OutboundMessage } from "../model.js";

/** A message as the outbox hands it out, without its content (see `takeDueMessages`). */
export interface TakenMessage extends Omit<OutboundMessage, "content"> {
  sender: string;
  maxAttempts: number;
  sendKey: string;
}

/** A taken message with its content, for a provider that sends it. */
export interface ClaimedMessage extends TakenMessage {
  content: MessageContent;
}

/** Every column but the content and the outcome's. */
const takenColumns = [
  "id",
  "send_key",
  "app_id",
  "channel",
  "address",
  "endpoint_id",
  "sender",
  "origin",
  "context",
  "attempts",
  "max_attempts",
] as const;

/**
 * Takes due messages (or the named ones, whatever their due time: a direct send delivers its own
 * at once) in the caller's transaction, without marking them: on PostgreSQL the rows stay locked
 * until it commits and other processes skip them (`FOR UPDATE SKIP LOCKED`); SQLite has one
 * writer. Each comes with the attempt it is about to make. The caller either has them sent and
 * recorded in that same transaction (a provider that keeps its deliveries in this database) or
 * marks them SENDING with `markSending`, reads their content with `withContent`, and sends them
 * after the commit. The content is left out because the sandbox copies it row to row: reading,
 * parsing and writing it back cost a fifth of the pipeline's time (70 → 55 µs a message).
 * @example const due = await takeDueMessages(trx, dialect, { limit: 500 });
 */
export async function takeDueMessages(
  trx: Kysely<Database>,
  dialect: StoreDialect,
  options: { limit: number; ids?: string[]; now?: number },
): Promise<TakenMessage[]> {
  const now = options.now ?? Date.now();
  const rows = await trx
    .selectFrom("messages")
    .select(takenColumns)
    .where("status", "=", "QUEUED")
    .$if(options.ids === undefined, (q) => q.where("next_attempt_ms", "<=", now))
    .$if(options.ids !== undefined, (q) => q.where("id", "in", options.ids ?? []))
    .orderBy("next_attempt_ms")
    .limit(options.limit)
    .$if(dialect.supportsSkipLocked, (q) => q.forUpdate().skipLocked())
    .execute();
  return rows.map((row) => toTaken({ ...row, attempts: row.attempts + 1 }));
}

/**
 * Marks taken messages SENDING, in the transaction that took them, before any provider outside
 * this database is called: that committed row is the send key on record. The lease
 * (`next_attempt_ms`) only matters if this process dies mid-send; see `claimInterrupted` for what
 * happens to such messages.
 * @example await markSending(trx, messages.map((m) => m.id), Date.now() + 120_000);
 */
export async function markSending(
  trx: Kysely<Database>,
  ids: string[],
  leaseUntilMs: number,
  now = Date.now(),
): Promise<void> {
  for (let i = 0; i < ids.length; i += 1000) {
    await trx
      .updateTable("messages")
      .set((eb) => ({
        status: "SENDING",
        attempts: eb("attempts", "+", 1),
        next_attempt_ms: leaseUntilMs,
        updated_ms: now,
      }))
      .where("id", "in", ids.slice(i, i + 1000))
      .execute();
  }
}

/**
 * The taken messages with their content, for providers that send it.
 * @example const claimed = await withContent(trx, taken);
 */
export async function withContent(trx: Kysely<Database>, messages: TakenMessage[]): Promise<ClaimedMessage[]> {
  const contents = new Map<string, unknown>();
  for (let i = 0; i < messages.length; i += 1000) {
    const rows = await trx
      .selectFrom("messages")
      .select(["id", "content"])
      .where(
        "id",
        "in",
        messages.slice(i, i + 1000).map((m) => m.id),
      )
      .execute();
    for (const row of rows) contents.set(row.id, row.content);
  }
  return messages.map((m) => ({ ...m, content: fromJson<MessageContent>(contents.get(m.id)) }));
}

function toTaken(row: Pick<Selectable<MessagesTable>, (typeof takenColumns)[number]>): TakenMessage {
  return {
    id: row.id,
    sendKey: row.send_key,
    appId: row.app_id,
    channel: row.channel as OutboundMessage["channel"],
    address: row.address,
    endpointId: row.endpoint_id ?? undefined,
    sender: row.sender,
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
): Promise<TakenMessage[]> {
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
    .returning(takenColumns)
    .execute();
  return rows.map(toTaken);
}
