import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import pg from 'pg';
import { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { createMetrics, requestTypeLabel } from '../../src/observe/metrics.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { parseExposition } from '../support/prometheus.js';
import { clearQueue, insertRequests } from '../support/requests.js';
import { waitFor } from '../support/waitFor.js';

describe('metrics', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());
  beforeEach(() => clearQueue(t.dialect));

  const scrape = async (m: ReturnType<typeof createMetrics>) => parseExposition(await m.registry.metrics());

  test('request types are bounded labels: what the UI wrote, trimmed, upper case, else OTHER', () => {
    assert.equal(requestTypeLabel(' immediate '), 'IMMEDIATE');
    assert.equal(requestTypeLabel('RERUN'), 'OTHER');
    assert.equal(requestTypeLabel(null), 'OTHER');
  });

  test('the worker API feeds counters, gauges and the run-duration histogram', async () => {
    const m = createMetrics(t.dialect, { defaultMetrics: false });
    m.claimed('IMMEDIATE');
    m.claimed(' immediate');
    m.claimed('bogus');
    m.finished('IMMEDIATE', 'DONE', 42, 'M_SALES');
    m.finished('HISTORY', 'FAILED', 7200, 'M_HIST');
    m.finished('STOP', 'DONE', 0.01, 'M_SALES');
    m.finished('IMMEDIATE', 'RELEASED', 3, 'M_CUT');
    m.reaped(2);
    m.reaped(0);
    m.tickLag(1.5);
    m.dbError('transient');
    m.dbError('transient');
    m.slots(3, 1);
    const s = await scrape(m);
    assert.equal(s.get('dwprc_requests_claimed_total{type="IMMEDIATE"}'), 2);
    assert.equal(s.get('dwprc_requests_claimed_total{type="OTHER"}'), 1);
    assert.equal(s.get('dwprc_requests_finished_total{type="IMMEDIATE",status="DONE"}'), 1);
    assert.equal(s.get('dwprc_requests_finished_total{type="STOP",status="DONE"}'), 1);
    assert.equal(s.get('dwprc_requests_finished_total{type="IMMEDIATE",status="RELEASED"}'), 1);
    // Only executed runs that ended are timed: no series for the STOP or the released run.
    assert.equal(s.get('dwprc_run_duration_seconds_count{mapref="M_SALES"}'), 1);
    assert.equal(s.get('dwprc_run_duration_seconds_bucket{le="30",mapref="M_SALES"}'), 0);
    assert.equal(s.get('dwprc_run_duration_seconds_bucket{le="60",mapref="M_SALES"}'), 1);
    assert.equal(s.get('dwprc_run_duration_seconds_bucket{le="7200",mapref="M_HIST"}'), 1);
    assert.equal(s.get('dwprc_run_duration_seconds_bucket{le="0.1",mapref="M_HIST"}'), 0);
    assert.equal(s.get('dwprc_run_duration_seconds_bucket{le="21600",mapref="M_HIST"}'), 1);
    assert.equal(s.has('dwprc_run_duration_seconds_count{mapref="M_CUT"}'), false);
    assert.equal(s.get('dwprc_lease_reaps_total'), 2);
    assert.equal(s.get('dwprc_scheduler_tick_lag_seconds'), 1.5);
    assert.equal(s.get('dwprc_database_errors_total{class="transient"}'), 2);
    assert.equal(s.get('dwprc_slots_busy'), 3);
    assert.equal(s.get('dwprc_slots_free'), 1);
  });

  test('queue depth is read on scrape: NEW and CLAIMED only', async () => {
    await insertRequests(t.dialect, [{ id: 'a' }, { id: 'b', mapref: 'M2' }, { id: 'c', mapref: 'M3' }, { id: 'd', mapref: 'M4' }]);
    await t.dialect.db.updateTable('dwprcreq').set({ status: 'CLAIMED' }).where('requestId', '=', 'c').execute();
    await t.dialect.db.updateTable('dwprcreq').set({ status: 'DONE' }).where('requestId', '=', 'd').execute();
    const m = createMetrics(t.dialect, { defaultMetrics: false });
    const s = await scrape(m);
    assert.equal(s.get('dwprc_queue_depth{status="NEW"}'), 2);
    assert.equal(s.get('dwprc_queue_depth{status="CLAIMED"}'), 1);
    assert.equal(s.has('dwprc_queue_depth{status="DONE"}'), false);
    assert.ok(s.get('dwprc_queue_depth_age_seconds')! < 1);
  });

  test('a slow database: the scrape answers within the timeout with the last value, which then ages', async () => {
    await insertRequests(t.dialect, [{ id: 'a' }]);
    const m = createMetrics(t.dialect, { defaultMetrics: false, depthTimeoutMs: 300 });
    assert.equal((await scrape(m)).get('dwprc_queue_depth{status="NEW"}'), 1);
    await insertRequests(t.dialect, [{ id: 'b', mapref: 'M2' }]);
    // Another session holds an exclusive lock: the GROUP BY waits behind it.
    const blocker = new pg.Client({ connectionString: t.url });
    await blocker.connect();
    try {
      await blocker.query('begin; lock table dwprcreq in access exclusive mode');
      const started = Date.now();
      const s = await scrape(m);
      assert.ok(Date.now() - started < 2000, `scrape took ${Date.now() - started} ms`);
      assert.equal(s.get('dwprc_queue_depth{status="NEW"}'), 1, 'the cached value');
      assert.ok(s.get('dwprc_queue_depth_age_seconds')! >= 0.3);
      await blocker.query('rollback');
    } finally {
      await blocker.end();
    }
    // The query that waited completes; a later scrape sees the new row.
    const fresh = await scrape(m);
    assert.equal(fresh.get('dwprc_queue_depth{status="NEW"}'), 2);
  });

  test('an unreachable database: no depth series, an age that keeps growing, the error counted by class', async () => {
    const down = new PostgresDialect({ url: 'postgres://nobody@127.0.0.1:1/none', schema: null, tablePrefix: 'DW', poolMax: 1 });
    try {
      const m = createMetrics(down, { defaultMetrics: false, depthTimeoutMs: 5000 });
      let scrapes = 0;
      await waitFor(async () => {
        const s = await scrape(m);
        scrapes += 1;
        assert.equal(s.has('dwprc_queue_depth{status="NEW"}'), false);
        return s.get('dwprc_queue_depth_age_seconds')! >= 0.1;
      }, 'the age of a value never read to grow past 0.1 s');
      // Counted when the query failed, during the scrape: one query per scrape, shared by both gauges.
      const errors = await m.registry.getSingleMetric('dwprc_database_errors_total')!.get();
      assert.deepEqual(errors.values.map((v) => [v.labels.class, v.value]), [['transient', scrapes]]);
    } finally {
      await down.close();
    }
  });

  test('process metrics are on by default, in this registry only', async () => {
    const m = createMetrics(t.dialect);
    const text = await m.registry.metrics();
    assert.match(text, /^process_cpu_seconds_total /m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m);
  });
});
