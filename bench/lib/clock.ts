/**
 * Milliseconds on CLOCK_MONOTONIC. Every process on the machine reads the same monotonic clock,
 * so an enqueue time taken in the bench and a start time taken in a worker process compare
 * directly, and unlike the wall clock it never steps. One definition, shared with the workers.
 */
export { monotonicMs } from '../children/recorder.mjs';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every `everyMs` until it holds or `timeoutMs` passes; false on timeout. */
export async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

/** As `until`, but a timeout is an error naming what was awaited. */
export async function waitUntil(condition: () => Promise<boolean> | boolean, what: string, timeoutMs: number, everyMs = 100): Promise<void> {
  if (!(await until(condition, timeoutMs, everyMs))) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
