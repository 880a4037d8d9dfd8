/**
 * Reading the sandbox's outbox: what Waymark would have sent, newest first, for the API
 * (GET /v1/apps/{id}/sandbox/messages) and the CLI (`waymark outbox`).
 */
import { nextToken, type Page } from "../../paging.js";
import type { Services } from "../../services.js";
import { fromJson } from "../../store/index.js";

export interface SandboxMessage {
  MessageId: string;
  ChannelType: string;
  Address: string;
  CreationDate: string;
  /** The rendered message: subject and bodies for email, body for SMS and voice, title and body for push. */
  Content: Record<string, unknown>;
}

export async function listSandboxMessages(services: Services, appId: string, page: Page) {
  const before = page.after ? Number(page.after[0]) : undefined;
  const rows = await services.store.db
    .selectFrom("sandbox_messages")
    .selectAll()
    .where("app_id", "=", appId)
    .$if(before !== undefined, (q) => q.where("seq", "<", before ?? 0))
    .orderBy("seq", "desc")
    .limit(page.size)
    .execute();
  const Item: SandboxMessage[] = rows.map((row) => ({
    MessageId: row.message_id,
    ChannelType: row.channel,
    Address: row.address,
    CreationDate: new Date(row.created_ms).toISOString(),
    Content: fromJson<Record<string, unknown>>(row.content),
  }));
  return { Item, NextToken: nextToken(rows, page, (row: { seq: number }) => [String(row.seq)]) };
}
