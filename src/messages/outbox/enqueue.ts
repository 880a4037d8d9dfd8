import type { Kysely } from "kysely";
import { type Database, toJson } from "../../store/index.js";
import type { OutboundMessage } from "../model.js";

export interface QueuedMessage extends Omit<OutboundMessage, "attempt"> {
  /** Unique per intended delivery: a second message with the same key is a duplicate and is not sent. */
  sendKey: string;
  sender: string;
  maxAttempts: number;
  notBeforeMs?: number;
}

/**
 * Puts messages in the outbox inside the caller's transaction and answers the ids of those that
 * were new; a message whose send key is already there was sent (or is being sent) already.
 */
export async function enqueueMessages(
  db: Kysely<Database>,
  messages: QueuedMessage[],
  now = Date.now(),
): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let i = 0; i < messages.length; i += 500) {
    const rows = await db
      .insertInto("messages")
      .values(
        messages.slice(i, i + 500).map((m) => ({
          id: m.id,
          send_key: m.sendKey,
          app_id: m.appId,
          channel: m.channel,
          address: m.address,
          endpoint_id: m.endpointId ?? null,
          sender: m.sender,
          content: toJson(m.content),
          origin: toJson(m.origin),
          context: toJson(m.context),
          status: "QUEUED",
          attempts: 0,
          max_attempts: m.maxAttempts,
          next_attempt_ms: m.notBeforeMs ?? now,
          created_ms: now,
          updated_ms: now,
        })),
      )
      .onConflict((oc) => oc.column("send_key").doNothing())
      .returning("id")
      .execute();
    for (const row of rows) inserted.add(row.id);
  }
  return inserted;
}
