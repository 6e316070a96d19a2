/**
 * Pages of keys in key order, each starting after the last key of the page before, so a loop
 * that deletes (or skips) what it reads always moves forward and ends. `page` must order by the
 * key and fetch at most `size` rows (portable `.fetch(n)`, never `.limit()`).
 */
export async function* keysetPages<K>(page: (after: K | null, size: number) => Promise<K[]>, size: number): AsyncGenerator<K[]> {
  let after: K | null = null;
  for (;;) {
    const keys = await page(after, size);
    if (keys.length > 0) yield keys;
    if (keys.length < size) return;
    after = keys[keys.length - 1]!;
  }
}
