/**
 * What every part of Waymark is handed: the config, the store, and the wake-up calls for the
 * background loops (so work added in this process starts at once rather than at the next poll).
 */
import { type Clock, systemClock } from "./clock.js";
import type { Config } from "./config.js";
import type { DeliveryOutcome } from "./messages/model.js";
import type { Store } from "./store/index.js";

export interface Wakeups {
  /** A job was added. */
  jobs(): void;
  /** Event stream records were added. */
  stream(): void;
  /** Journey participants were added or came due (an entry, a broadcast, a resumed journey). */
  journeys(): void;
}

/** The delivery pipeline, as the rest of Waymark uses it. */
export interface Delivery {
  /** Delivers these queued messages now, within the caller's request; answers each outcome by message id. */
  deliverNow(messageIds: string[]): Promise<Map<string, DeliveryOutcome>>;
  /** Messages were queued for the background loop. */
  wake(): void;
}

export interface Services {
  config: Config;
  store: Store;
  wake: Wakeups;
  delivery: Delivery;
  /** The time journeys and schedules run on; a ManualClock in tests. */
  clock: Clock;
}

/** Services whose background loops are not running yet; `startServer` connects them. */
export function createServices(config: Config, store: Store, clock: Clock = systemClock): Services {
  return {
    config,
    store,
    clock,
    wake: { jobs: () => {}, stream: () => {}, journeys: () => {} },
    delivery: {
      deliverNow: () => Promise.reject(new Error("the delivery pipeline is not running")),
      wake: () => {},
    },
  };
}
