/**
 * Push services take one message per request; a batch is sent as concurrent requests, bounded so a
 * batch of hundreds does not open hundreds of streams at once.
 */

/**
 * Runs `send` on every item with at most `limit` in flight; answers the results in item order.
 * @example const outcomes = await sendInFlight(messages, 50, (m) => provider.sendOne(m));
 */
export async function sendInFlight<Item, Result>(
  items: Item[],
  limit: number,
  send: (item: Item) => Promise<Result>,
): Promise<Result[]> {
  const results = new Array<Result>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await send(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
