import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jitter, nextWaitMs, WakeSignal } from '../../src/worker/wakeSignal.js';

describe('waits of the claim loop and the periodic duties', () => {
  const at = (r: number) => () => r;

  test('jitter spreads an interval over ±20%', () => {
    assert.deepEqual([0, 0.5, 0.999999].map((r) => jitter(1_000, at(r))), [800, 1_000, 1_200]);
  });

  test('a duty runs again after its jittered interval, or when it said it is needed if that is sooner', () => {
    const cases: [number | null, number, number][] = [
      // needed in, random, wait
      [null, 0, 800],
      [null, 0.999999, 1_200],
      [5, 0.5, 5],
      [799, 0, 799],
      [801, 0, 800],
      [10_000, 0.5, 1_000],
      [0, 0.5, 0],
      [-30, 0.5, 0],
      [12.2, 0.5, 13],
    ];
    for (const [needed, random, wait] of cases) assert.equal(nextWaitMs(1_000, needed, at(random)), wait, `needed in ${needed}, random ${random}`);
  });

  test('a wake-up that comes while nobody waits is kept for the next wait, once', async () => {
    const signal = new WakeSignal();
    signal.wake();
    const started = performance.now();
    await signal.wait(60_000);
    assert.ok(performance.now() - started < 1_000, 'the kept wake-up ended the wait at once');
    const waiting = signal.wait(60_000);
    const woken = performance.now();
    signal.wake();
    await waiting;
    assert.ok(performance.now() - woken < 1_000, 'a wake-up ends a wait under way');
    const again = performance.now();
    await signal.wait(50);
    assert.ok(performance.now() - again >= 45, 'each wake-up ends one wait: the next waits its time');
  });
});
