/**
 * Waiting for work Waymark does on its own (delivery, fan-out, the journey engine): reads until
 * the value is what the test expects, and fails with the last value read when it never is.
 * @example
 * await pollUntil(() => sink.received.length, (n) => n === 1000, { what: "1,000 emails", timeoutMs: 60_000 });
 */
export async function pollUntil<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  options: { what: string; timeoutMs?: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${options.what}; last value: ${JSON.stringify(value)?.slice(0, 2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}
