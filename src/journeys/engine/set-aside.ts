import type { Services } from "../../services.js";
import { claimDueParticipants } from "./claim.js";

/**
 * Puts the earliest due participant aside for `delayMs`: the one a batch of one just failed on
 * (a definition the engine cannot run, a bug). One such participant must not hold up every other
 * participant of every journey behind it, batch after failing batch.
 * @example const id = await setAsideDueParticipant(services, 10 * 60_000);
 */
export async function setAsideDueParticipant(services: Services, delayMs: number): Promise<number | undefined> {
  const now = services.clock.now();
  return services.store.db.transaction().execute(async (trx) => {
    const [participant] = await claimDueParticipants(trx, services.store.dialect, now, 1);
    if (!participant) return undefined;
    await trx
      .updateTable("journey_participants")
      .set({ wake_ms: now + delayMs })
      .where("id", "=", participant.id)
      .execute();
    return participant.id;
  });
}
