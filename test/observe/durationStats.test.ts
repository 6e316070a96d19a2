import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { estimateRun, median, MIN_RUNS_FOR_OVERDUE, percentile } from '../../src/observe/durationStats.js';
import { durationText } from '../../src/observe/durationText.js';

describe('run duration statistics (pure)', () => {
  test('percentiles interpolate between closest ranks (the numpy/spreadsheet default)', () => {
    assert.equal(percentile([4, 1, 3, 2], 0.5), 2.5);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7, 1, 3]), 3);
    // numpy.percentile([1, 2, 3, 4], 95) == 3.85
    assert.ok(Math.abs(percentile([1, 2, 3, 4], 0.95)! - 3.85) < 1e-12);
    // numpy.percentile(range(10, 110, 10), 95) == 95.5
    assert.ok(Math.abs(percentile([100, 90, 80, 70, 60, 50, 40, 30, 20, 10], 0.95)! - 95.5) < 1e-12);
    assert.equal(percentile([5], 0.95), 5);
    assert.equal(percentile([], 0.5), null);
    assert.equal(percentile([3, 9], 0), 3);
    assert.equal(percentile([3, 9], 1), 9);
    assert.throws(() => percentile([1], 1.5), /p must be within 0 … 1, got 1.5/);
    assert.throws(() => percentile([1], Number.NaN), /p must be within 0 … 1/);
  });

  test('properties: within min…max, monotone in p, independent of order, input left unsorted', () => {
    const values = fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 30 });
    const p = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(values, p, p, (xs, a, b) => {
        const copy = [...xs];
        const low = Math.min(a, b);
        const high = Math.max(a, b);
        const pl = percentile(xs, low)!;
        const ph = percentile(xs, high)!;
        assert.deepEqual(xs, copy);
        assert.ok(pl >= Math.min(...xs) && ph <= Math.max(...xs));
        assert.ok(pl <= ph + 1e-9);
        assert.equal(percentile([...xs].reverse(), low), pl);
      }),
    );
  });

  test('a run is overdue only past 1.5 × p95, and only with enough history', () => {
    const tenMinutes = [600, 600, 600, 600];
    assert.deepEqual(estimateRun(tenMinutes, 60), { expectedSeconds: 600, p95Seconds: 600, basedOnRuns: 4, overdue: false });
    assert.equal(estimateRun(tenMinutes, 900)!.overdue, false, 'exactly 1.5 × p95 is not yet overdue');
    assert.equal(estimateRun(tenMinutes, 900.5)!.overdue, true);
    const few = Array.from({ length: MIN_RUNS_FOR_OVERDUE - 1 }, () => 10);
    assert.equal(estimateRun(few, 10_000)!.overdue, false, 'two runs say too little about the tail');
    assert.equal(estimateRun(few, 10_000)!.expectedSeconds, 10, 'but they still give an expected length');
    assert.equal(estimateRun([], 5), null);
    // One slow outlier moves the p95, not the median.
    const e = estimateRun([60, 62, 58, 61, 59, 60, 63, 57, 60, 1800], 200)!;
    assert.equal(e.expectedSeconds, 60);
    assert.ok(e.p95Seconds > 1000);
    assert.equal(e.overdue, false);
  });

  test('durations print as logs, status and why show them', () => {
    assert.deepEqual([0, 12.34, 59.96, 65, 3725, null].map(durationText), ['0s', '12.3s', '60s', '1m 05s', '1h 02m 05s', '']);
  });
});
