import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lostLeases } from '../../src/worker/lostLeases.js';

describe('lostLeases: which runs a lease renewal says to stop (pure)', () => {
  const run = (settling: boolean, killed: boolean) => {
    const kill = new AbortController();
    if (killed) kill.abort();
    return { settling, kill };
  };

  test('every combination of held / settling / already stopped / still in flight', () => {
    for (const held of [true, false]) {
      for (const settling of [true, false]) {
        for (const killed of [true, false]) {
          for (const inFlight of [true, false]) {
            const r = run(settling, killed);
            const lost = lostLeases(['a'], new Set(held ? ['a'] : []), new Map(inFlight ? [['a', r]] : []));
            const expected = !held && !settling && !killed && inFlight;
            assert.deepEqual(lost, expected ? [['a', r]] : [], JSON.stringify({ held, settling, killed, inFlight }));
          }
        }
      }
    }
  });

  test('a settling run whose lease went with its own final write is left alone; a running one beside it is stopped', () => {
    const done = run(true, false);
    const running = run(false, false);
    const kept = run(false, false);
    const inFlight = new Map([['done', done], ['running', running], ['kept', kept]]);
    assert.deepEqual(lostLeases(['done', 'running', 'kept'], new Set(['kept']), inFlight), [['running', running]]);
  });
});
