import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { layoutChains } from '../../src/console/chainGraph.js';
import { hourWindow, thinned } from '../../src/console/pages/timeline.js';
import { LABEL_WIDTH, layoutTimeline, MIN_BAR, PLOT_WIDTH } from '../../src/console/timelineLayout.js';
import type { ChainLink } from '../../src/observe/chainLinks.js';

const H = 3_600_000;

describe('timeline layout', () => {
  const day = { startMs: 0, endMs: 24 * H, ticks: [] };
  test('a bar spans its run; a running one ends at now; a short one keeps a minimum width; rows are the MAPREFs sorted', () => {
    const l = layoutTimeline({
      ...day, nowMs: 18 * H,
      runs: [
        { prcid: 1, mapref: 'B', status: 'PC', startMs: 6 * H, endMs: 12 * H, tip: '' },
        { prcid: 2, mapref: 'A', status: 'IP', startMs: 12 * H, endMs: null, tip: '' },
        { prcid: 3, mapref: 'B', status: 'FL', startMs: 13 * H, endMs: 13 * H + 1000, tip: '' },
        // Started the day before: clipped at the left edge.
        { prcid: 4, mapref: 'C', status: 'ST', startMs: -2 * H, endMs: 1 * H, tip: '' },
      ],
      occurrences: [{ mapref: 'D', atMs: 20 * H, tip: '' }, { mapref: 'D', atMs: 3 * H, tip: '' }, { mapref: 'D', atMs: 25 * H, tip: '' }],
    });
    assert.deepEqual(l.rows.map((r) => r.mapref), ['A', 'B', 'C', 'D']);
    const bar = (prcid: number) => l.bars.find((b) => b.prcid === prcid)!;
    assert.equal(bar(1).x, LABEL_WIDTH + PLOT_WIDTH / 4);
    assert.equal(bar(1).width, PLOT_WIDTH / 4);
    assert.equal(bar(2).width, PLOT_WIDTH / 4);
    assert.equal(bar(3).width, MIN_BAR);
    assert.equal(bar(4).x, LABEL_WIDTH);
    assert.equal(bar(1).y, bar(3).y);
    assert.deepEqual(l.marks.map((m) => m.atMs), [20 * H, 3 * H]);
    assert.equal(l.marks[0]!.r, 4.5);
    assert.equal(l.nowX, LABEL_WIDTH + PLOT_WIDTH * 0.75);
    assert.equal(layoutTimeline({ ...day, nowMs: 30 * H, runs: [], occurrences: [] }).nowX, null);
  });

  test('hour window: from/to zoom within the day; nonsense is the whole day', () => {
    const start = DateTime.fromISO('2026-03-29T00:00', { zone: 'Europe/London' });
    const end = start.plus({ days: 1 });
    const z = hourWindow(start, end, '20', '24');
    assert.equal(z.zoomed, true);
    assert.equal(z.start.toISO(), start.plus({ hours: 20 }).toISO());
    assert.equal(z.end.toISO(), end.toISO());
    for (const [a, b] of [['5', '5'], ['x', 'y'], ['0', '24'], [undefined, undefined], ['30', '40']]) assert.equal(hourWindow(start, end, a, b).zoomed, false, `${a}-${b}`);
  });
});

test('dense schedules: every k-th occurrence, the first (the next one) always kept', () => {
  const minutes = Array.from({ length: 1440 }, (_, i) => i);
  const { kept, every } = thinned(minutes, 120);
  assert.equal(every, 12);
  assert.equal(kept.length, 120);
  assert.equal(kept[0], 0);
  assert.deepEqual(thinned([5, 6], 120), { kept: [5, 6], every: 1 });
});

describe('chain layout', () => {
  const link = (child: string, parent: string | null, extra: Partial<ChainLink> = {}): ChainLink => ({
    child, childJobschid: 1, enabled: true, parentJobschid: 9, parent, parentRetired: false, ...extra,
  });

  test('parents left of their children; cycles (and a schedule after itself) found; a link to no row gets its own node', () => {
    const g = layoutChains([link('B', 'A'), link('C', 'B'), link('X', 'Y'), link('Y', 'X'), link('S', 'S'), link('M', null, { parentJobschid: 42 }), link('R', 'A', { parentRetired: true })]);
    const node = (id: string) => g.nodes.find((n) => n.id === id)!;
    assert.ok(node('A').x < node('B').x && node('B').x < node('C').x);
    assert.deepEqual(g.cycles.map((c) => c.join(',')).sort(), ['S', 'X,Y']);
    assert.equal(node('#42').label, 'JOBSCHID 42 (no such row)');
    assert.equal(node('#42').mapref, null);
    const edge = (from: string, to: string) => g.edges.find((e) => e.from === from && e.to === to)!;
    assert.equal(edge('A', 'R').retired, true);
    assert.equal(edge('X', 'Y').inCycle, true);
    assert.equal(edge('A', 'B').inCycle, false);
    assert.ok(g.width > 0 && g.height > 0);
    assert.ok(edge('A', 'B').points.length >= 2);
  });
});
