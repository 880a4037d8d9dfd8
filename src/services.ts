/**
 * What every part of Waymark is handed: the config, the store, and the wake-up calls for the
 * background loops (so work added in this process starts at once rather than at the next poll).
 */
import type { Config } from "./config.js";
import type { Store } from "./store/index.js";

export interface Wakeups {
  /** A job was added. */
  jobs(): void;
  /** Event stream records were added. */
  stream(): void;
}

export interface Services {
  config: Config;
  store: Store;
  wake: Wakeups;
}

export function createServices(config: Config, store: Store): Services {
  return { config, store, wake: { jobs: () => {}, stream: () => {} } };
}
