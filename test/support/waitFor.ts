/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. Synchronisation, not a sleep. */
export async function waitFor(condition: () => Promise<boolean> | boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
