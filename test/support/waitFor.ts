/**
 * Polls `condition` until it holds or the deadline passes, then fails naming `what`.
 * Synchronisation on a condition, never a fixed sleep: tests wait exactly as long as needed.
 */
export async function waitFor(condition: () => Promise<unknown> | unknown, what = 'condition', timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
