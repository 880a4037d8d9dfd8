import { setFlagsFromString } from "node:v8";

/**
 * Has V8 collect the old generation once it has grown by half since the last collection, rather
 * than letting it grow to up to four times what survived, as V8 does where memory is plentiful.
 * The server keeps little alive (~50 MB of heap during a 1,000,000-endpoint broadcast) but makes
 * a lot of short-lived garbage, so its heap grew to ~250 MB between collections and the process
 * peaked at ~400 MB RSS; with this it stays near 260 MB, for no CPU we could measure (a
 * mark-compact of ~5 ms every second or two). It sets no limit: a workload that needs more heap
 * still gets it.
 * @example keepHeapNearLiveSize(); // first thing in `waymark start`
 */
export function keepHeapNearLiveSize(): void {
  setFlagsFromString("--heap-growing-percent=50");
}
