/**
 * Broadcasts, Waymark's company-wide event (docs/broadcasts.md): send one, follow its progress,
 * list them. The fan-out itself is the journey triggers' ("journey-fanout" job task).
 */
export { createBroadcast } from "./create.js";
export type { BroadcastJourney, BroadcastResponse, WriteBroadcastRequest } from "./model.js";
export { getBroadcast, listBroadcasts } from "./progress.js";
