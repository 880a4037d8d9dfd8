/**
 * How the journey API writes a change to an existing journey. The request was checked against the
 * journey as first read (templates and segments are looked up outside any transaction); the write
 * then holds the row and refuses with a 409 if another request changed it in between, so a check
 * never approves a journey other than the one written. A change of state, or of a live journey's
 * settings, sets the lifecycle in motion in the same transaction (journeyStateChanged), and the
 * journey loops wake after commit.
 */
import { conflict } from "../api/errors.js";
import type { Services } from "../services.js";
import { journeyStateChanged } from "./lifecycle.js";
import type { Journey } from "./model.js";
import { requireJourney, saveJourney } from "./queries.js";

/**
 * Writes `change(latest, now)` over the journey read as `read`, and answers what was written.
 * @example await commitJourney(services, journey, (latest) => ({ ...latest, state: "PAUSED" }))
 */
export async function commitJourney(
  services: Services,
  read: Journey,
  change: (latest: Journey, nowMs: number) => Journey,
): Promise<Journey> {
  const { db, dialect } = services.store;
  const next = await db.transaction().execute(async (trx) => {
    const latest = await requireJourney(trx, read.appId, read.id, { lockFor: dialect });
    if (latest.version !== read.version || latest.state !== read.state) {
      throw conflict(`Journey ${read.id} was changed by another request meanwhile: read it again and retry`);
    }
    const nowMs = services.clock.now();
    const changed = { ...change(latest, nowMs), lastModifiedDate: new Date(nowMs).toISOString() };
    await saveJourney(trx, changed);
    // A live journey's new settings (Schedule, Limits...) are the lifecycle's to act on too, with
    // the state unchanged: the scheduler looks at it again, cached definitions are dropped.
    const live = changed.state === "ACTIVE" || changed.state === "PAUSED";
    if (changed.state !== latest.state || (live && changed.version !== latest.version)) {
      await journeyStateChanged(trx, services, changed, latest.state);
    }
    return changed;
  });
  if (next.state !== read.state || next.state === "ACTIVE") services.wake.journeys();
  return next;
}
