import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLAIM_GATHER_MS, claimGatherMs } from '../../src/worker/claimGather.js';

describe('claim batching under a backlog', () => {
  test('with no backlog every freed slot is claimed for at once, whatever else', () => {
    for (let concurrency = 1; concurrency <= 32; concurrency++) {
      for (let free = 1; free <= concurrency; free++) {
        for (const waited of [0, 0.5, CLAIM_GATHER_MS - 1, CLAIM_GATHER_MS, 1e6]) assert.equal(claimGatherMs(free, concurrency, false, waited), 0);
      }
    }
  });

  test('with a backlog a worker whose slots are all free claims at once: one slot, or an idle worker', () => {
    for (let concurrency = 1; concurrency <= 32; concurrency++) assert.equal(claimGatherMs(concurrency, concurrency, true, 0), 0);
  });

  test('with a backlog and a slot still busy it waits for the rest of CLAIM_GATHER_MS, never longer, never negative', () => {
    for (let concurrency = 2; concurrency <= 32; concurrency++) {
      for (let free = 1; free < concurrency; free++) {
        assert.equal(claimGatherMs(free, concurrency, true, 0), CLAIM_GATHER_MS);
        assert.equal(claimGatherMs(free, concurrency, true, 2.5), CLAIM_GATHER_MS - 2.5);
        assert.equal(claimGatherMs(free, concurrency, true, CLAIM_GATHER_MS), 0);
        assert.equal(claimGatherMs(free, concurrency, true, CLAIM_GATHER_MS + 100), 0);
      }
    }
  });
});
