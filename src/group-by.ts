/**
 * Groups items by a key, keeping their order within each group (Map.groupBy arrives in Node 21).
 * @example groupBy(messages, (m) => m.appId) // Map { "app-1" => [...], "app-2" => [...] }
 */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
