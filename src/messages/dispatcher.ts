/**
 * The delivery pipeline's loop: claims due messages from the outbox, sends them through their
 * channel's provider within the sender's rate, and records the outcomes. Direct sends
 * (SendMessages) call `deliverNow` to deliver their own messages within the request.
 */
import type { FastifyBaseLogger as Logger } from "fastify";
import type { ProviderRegistry } from "../channels/registry.js";
import { groupBy } from "../group-by.js";
import { BackgroundLoop } from "../jobs/background-loop.js";
import type { Services } from "../services.js";
import type { DeliveryChannel, DeliveryOutcome } from "./model.js";
import { type ClaimedMessage, claimInterrupted, claimMessages } from "./outbox/claim.js";
import { recordOutcomes } from "./outbox/record-outcomes.js";
import { requeueHeld, requeueUnsent } from "./outbox/requeue.js";
import { takeTokens } from "./rate-limit.js";

const batchSize = 500;
/** Longer than any provider call may take; only a dead process lets a lease run out. */
const leaseMs = 120_000;
const settlementIntervalMs = 30_000;

export class MessageDispatcher extends BackgroundLoop {
  /** Crash leftovers are looked for at start and then now and again, not on every claim. */
  private nextSettlementMs = 0;

  constructor(
    private readonly services: Services,
    private readonly providers: ProviderRegistry,
    log: Logger,
  ) {
    super(services.config.pollIntervalMs, log);
  }

  /** Claims these messages (whatever their due time) and delivers them now; answers each outcome by id. */
  async deliverNow(ids: string[]): Promise<Map<string, DeliveryOutcome>> {
    if (ids.length === 0) return new Map();
    const claimed = await claimMessages(this.services.store.db, this.services.store.dialect, {
      limit: ids.length,
      leaseMs,
      ids,
    });
    return this.deliver(claimed);
  }

  protected async round(): Promise<boolean> {
    if (Date.now() >= this.nextSettlementMs) {
      this.nextSettlementMs = Date.now() + settlementIntervalMs;
      await this.settleInterrupted();
    }
    const claimed = await claimMessages(this.services.store.db, this.services.store.dialect, {
      limit: batchSize,
      leaseMs,
    });
    if (claimed.length > 0) await this.deliver(claimed);
    return claimed.length === batchSize;
  }

  private async deliver(claimed: ClaimedMessage[]): Promise<Map<string, DeliveryOutcome>> {
    const results = new Map<string, DeliveryOutcome>();
    const groups = groupBy(claimed, (m) => `${m.appId}\u0000${m.channel}\u0000${m.sender}`);
    await Promise.all(
      [...groups.values()].map(async (group) => {
        for (const [id, outcome] of await this.deliverGroup(group)) results.set(id, outcome);
      }),
    );
    return results;
  }

  /** One app, channel and sender: rate-limited, sent in one provider call, recorded in one transaction. */
  private async deliverGroup(group: ClaimedMessage[]): Promise<Map<string, DeliveryOutcome>> {
    const { appId, channel, sender } = group[0];
    const { db, dialect } = this.services.store;
    const perSecond = this.rateFor(channel);
    let sendable = group;
    let held: ClaimedMessage[] = [];
    if (perSecond !== undefined) {
      const granted = await takeTokens(db, dialect, `${channel}:${sender}`, group.length, perSecond);
      sendable = group.slice(0, granted);
      held = group.slice(granted);
    }
    let outcomes: DeliveryOutcome[];
    try {
      const provider = await this.providers.providerFor(appId, channel);
      outcomes = sendable.length > 0 ? await provider.send(sendable) : [];
    } catch (error) {
      const statusMessage = error instanceof Error ? error.message : String(error);
      outcomes = sendable.map(() => ({ status: "TEMPORARY_FAILURE", statusCode: 500, statusMessage }));
    }
    // Held back by the rate limit: queued sends wait their turn; a direct send answers THROTTLED.
    const waiting = held.filter((message) => message.maxAttempts > 1);
    const refused = held.filter((message) => message.maxAttempts <= 1);
    const all = [...sendable, ...refused];
    const allOutcomes: DeliveryOutcome[] = [
      ...outcomes,
      ...refused.map(() => ({
        status: "THROTTLED" as const,
        statusCode: 429,
        statusMessage: "The sender's rate limit is reached",
      })),
    ];
    const streamed = await db.transaction().execute(async (trx) => {
      await requeueHeld(
        trx,
        waiting.map((message) => message.id),
        Date.now() + Math.ceil((1000 * waiting.length) / (perSecond ?? 1)),
      );
      return recordOutcomes(trx, this.services, all, allOutcomes);
    });
    if (streamed > 0) this.services.wake.stream();
    return new Map(all.map((message, i) => [message.id, allOutcomes[i]]));
  }

  /**
   * Messages a dead process was sending: those the provider can show it accepted are SUCCESSFUL.
   * Where the provider can also show it never got the others (the sandbox), those are queued again;
   * elsewhere (SMTP, HTTP APIs) they end as UNKNOWN_FAILURE and are not sent again: a duplicate is
   * worse than a gap the operator can see.
   */
  private async settleInterrupted(): Promise<void> {
    const { db, dialect } = this.services.store;
    const interrupted = await claimInterrupted(db, dialect, { limit: batchSize, leaseMs });
    if (interrupted.length === 0) return;
    const outcomes: DeliveryOutcome[] = [];
    const settled: ClaimedMessage[] = [];
    const unsent: string[] = [];
    for (const group of groupBy(interrupted, (m) => `${m.appId}\u0000${m.channel}`).values()) {
      const provider = await this.providers.providerFor(group[0].appId, group[0].channel);
      const accepted = provider.accepted ? await provider.accepted(group) : undefined;
      for (const message of group) {
        if (accepted?.has(message.id)) {
          settled.push(message);
          outcomes.push({ status: "SUCCESSFUL", statusCode: 200, providerMessageId: message.id });
        } else if (accepted) {
          unsent.push(message.id);
        } else {
          settled.push(message);
          outcomes.push({
            status: "UNKNOWN_FAILURE",
            statusCode: 500,
            statusMessage: "Interrupted while sending; not resent, to avoid a duplicate",
          });
        }
      }
    }
    this.log.warn(
      { settled: settled.length, requeued: unsent.length },
      "settled messages interrupted by a crash; those the provider never got are queued again",
    );
    const streamed = await db.transaction().execute(async (trx) => {
      await requeueUnsent(trx, unsent);
      return recordOutcomes(trx, this.services, settled, outcomes);
    });
    if (streamed > 0) this.services.wake.stream();
    if (unsent.length > 0) this.nudge();
  }

  private rateFor(channel: DeliveryChannel): number | undefined {
    const { providers } = this.services.config;
    if (channel === "EMAIL") return providers.email?.messagesPerSecond;
    if (channel === "SMS") return providers.sms?.messagesPerSecond;
    if (channel === "VOICE") return providers.voice?.messagesPerSecond;
    return undefined;
  }
}
