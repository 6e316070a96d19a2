import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createLogger } from '../../src/observe/logger.js';
import { Worker } from '../../src/worker/worker.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createRunsTable, recordingEngine } from '../support/recordingEngine.js';
import { clearQueue, insertRequests, statuses } from '../support/requests.js';
import { testConfig } from '../support/testConfig.js';
import { waitFor } from '../support/waitFor.js';
import type { Config } from '../../src/config.js';

const log = createLogger({ level: process.env.TEST_LOG ?? 'silent', destination: process.stderr, pretty: false });

describe('worker (one process, recording engine)', () => {
  let t: TestDatabase;
  const workers: Worker[] = [];
  before(async () => {
    t = await createTestDatabase();
    await createRunsTable(t.dialect);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.shutdown(0)));
    await t.drop();
  });
  beforeEach(async () => {
    await clearQueue(t.dialect);
    await sql`truncate test_runs`.execute(t.dialect.db);
  });

  async function startWorker(overrides: Partial<Config['worker']> = {}, id = `w${workers.length}`): Promise<Worker> {
    const w = new Worker({ dialect: t.dialect, config: testConfig(t.url, overrides), log, execute: recordingEngine, workerId: id, version: 'test' });
    workers.push(w);
    await w.start();
    return w;
  }

  const result = async (id: string) => {
    const row = await t.dialect.db.selectFrom('dwprcreq').select(['status', 'resultPayload', 'attempts']).where('requestId', '=', id).executeTakeFirstOrThrow();
    const payload = row.resultPayload ? JSON.parse(row.resultPayload) : {};
    return { ...payload, resultStatus: payload.status, status: row.status, attempts: row.attempts };
  };
  const settled = (ids: string[]) =>
    waitFor(async () => {
      const s = await statuses(t.dialect);
      return ids.every((id) => ['DONE', 'FAILED', 'CANCELLED'].includes(s[id]!));
    }, `${ids.join(',')} settled`);

  test('bad rows fail alone with a clear reason while valid rows around them complete', async () => {
    await insertRequests(t.dialect, [
      { id: 'ok1', mapref: 'A' },
      { id: 'type', mapref: 'A', type: 'RERUN' },
      { id: 'json', mapref: 'B', payload: '{"param1": ' },
      { id: 'nomap', mapref: ' ' },
      { id: 'dates', mapref: 'C', type: 'HISTORY', payload: '{"start_date":"2027-13-01"}' },
      { id: 'long', mapref: 'D', payload: JSON.stringify({ param2: 'x'.repeat(300) }) },
      { id: 'refresh', mapref: 'E', type: 'REFRESH_SCHEDULE' },
      { id: 'stop', mapref: 'F', type: 'STOP' },
      { id: 'ok2', mapref: 'G' },
    ]);
    const w = await startWorker({ concurrency: 3 });
    const ids = ['ok1', 'type', 'json', 'nomap', 'dates', 'long', 'refresh', 'stop', 'ok2'];
    await settled(ids);
    assert.equal((await result('ok1')).status, 'DONE');
    assert.equal((await result('ok2')).status, 'DONE');
    assert.match((await result('type')).message, /^REQUEST_TYPE must be one of IMMEDIATE, HISTORY, STOP, REPORT, REFRESH_SCHEDULE; got "RERUN"$/);
    assert.match((await result('json')).message, /^PAYLOAD must be a JSON object/);
    assert.equal((await result('nomap')).message, 'MAPREF must be provided');
    assert.equal((await result('dates')).message, 'start_date must be a date YYYY-MM-DD, got "2027-13-01"');
    assert.equal((await result('long')).message, 'param2 must be at most 250 characters, got 300');
    assert.deepEqual([(await result('refresh')).status], ['DONE']);
    const stop = await result('stop');
    assert.deepEqual([stop.status, stop.resultStatus, stop.message], ['DONE', 'NOT_RUNNING', 'no running execution of F to stop']);
    for (const bad of ['type', 'json', 'nomap', 'dates', 'long']) assert.equal((await result(bad)).status, 'FAILED', bad);
    await w.shutdown();
  });

  test('never two runs of one MAPREF at once, every request exactly once', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({ id: `r${i}`, mapref: `M${i % 6}`, payload: '{"work_ms": 15}' }));
    await insertRequests(t.dialect, rows);
    const pair = await Promise.all([startWorker({ concurrency: 4 }), startWorker({ concurrency: 4 })]);
    await settled(rows.map((r) => r.id));
    const { rows: runs } = await sql<{ requestId: string; mapref: string; startedAt: Date; endedAt: Date }>`
      select request_id, mapref, started_at, ended_at from test_runs order by started_at`.execute(t.dialect.db);
    assert.equal(runs.length, 60);
    assert.equal(new Set(runs.map((r) => r.requestId)).size, 60);
    const lastEnd = new Map<string, number>();
    for (const run of runs) {
      assert.ok((lastEnd.get(run.mapref) ?? 0) <= run.startedAt.getTime(), `${run.mapref} overlapped at ${run.requestId}`);
      lastEnd.set(run.mapref, run.endedAt.getTime());
    }
    assert.ok(Object.values(await statuses(t.dialect)).every((s) => s === 'DONE'));
    await Promise.all(pair.map((w) => w.shutdown()));
  });

  test('a STOP reaches the running request: it ends CANCELLED and the STOP row says what it stopped', async () => {
    await insertRequests(t.dialect, [{ id: 'long', mapref: 'S', payload: '{"work_ms": 60000}' }]);
    const w = await startWorker({ concurrency: 2, pollMs: 10_000 });
    await waitFor(async () => (await statuses(t.dialect)).long === 'CLAIMED', 'long running');
    const started = Date.now();
    await insertRequests(t.dialect, [{ id: 'stop-it', mapref: 'S', type: 'STOP', payload: '{"force":"Y"}', at: 100 }]);
    await settled(['long', 'stop-it']);
    assert.ok(Date.now() - started < 5000, 'stop took effect well within the poll interval');
    const long = await result('long');
    assert.deepEqual([long.status, long.message], ['CANCELLED', 'stopped (stop-request)']);
    const stop = await result('stop-it');
    assert.equal(stop.status, 'DONE');
    assert.match(stop.message, /^force stop requested for request long on worker w\d+/);
    await w.shutdown();
  });

  test('a failed run is retried only when the request asks for attempts', async () => {
    await insertRequests(t.dialect, [
      { id: 'once', mapref: 'F1', payload: '{"fail": "boom"}' },
      { id: 'twice', mapref: 'F2', payload: '{"fail": "boom", "max_attempts": 2}' },
    ]);
    const w = await startWorker({ concurrency: 2 });
    await settled(['once', 'twice']);
    assert.deepEqual([(await result('once')).status, (await result('once')).attempts], ['FAILED', 1]);
    assert.deepEqual([(await result('twice')).status, (await result('twice')).attempts], ['FAILED', 2]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from test_runs where request_id = 'twice'`.execute(t.dialect.db);
    assert.equal(rows[0]!.n, 2);
    await w.shutdown();
  });

  test('graceful shutdown lets short runs finish and hands long ones back to the queue', async () => {
    await insertRequests(t.dialect, [
      { id: 'short', mapref: 'G1', payload: '{"work_ms": 300}' },
      { id: 'endless', mapref: 'G2', payload: '{"work_ms": 600000}' },
    ]);
    const w = await startWorker({ concurrency: 2 });
    await waitFor(async () => {
      const s = await statuses(t.dialect);
      return s.short === 'CLAIMED' && s.endless === 'CLAIMED';
    }, 'both running');
    await w.shutdown(1000);
    assert.equal((await result('short')).status, 'DONE');
    const endless = await result('endless');
    assert.deepEqual([endless.status, endless.attempts], ['NEW', 0]);
    assert.match(endless.message, /^released at worker shutdown/);
  });

  test('NOTIFY wakes an idle worker long before its poll interval', async () => {
    const w = await startWorker({ concurrency: 1, pollMs: 30_000 });
    await waitFor(() => w.ready, 'worker ready');
    const started = Date.now();
    await insertRequests(t.dialect, [{ id: 'wake', mapref: 'W' }]);
    await settled(['wake']);
    const latency = Date.now() - started;
    assert.ok(latency < 3000, `picked up after ${latency} ms with a 30 s poll interval`);
    await w.shutdown();
  });
  test('a periodic duty that says when it is needed next runs then, not a whole interval later', async () => {
    const runs: number[] = [];
    const probe = {
      name: 'probe',
      intervalMs: 1_000,
      // The first run asks for the next in 5 ms, the second asks for nothing: its interval follows.
      run: async () => (runs.push(performance.now()) === 1 ? 5 : null),
    };
    const w = new Worker({ dialect: t.dialect, config: testConfig(t.url), log, execute: recordingEngine, workerId: 'periodic', version: 'test', services: [probe] });
    workers.push(w);
    await w.start();
    await waitFor(async () => runs.length >= 3, 'three runs of the duty', 10_000);
    const [a, b, c] = runs as [number, number, number];
    assert.ok(b - a < 400, `asked for 5 ms, ran ${Math.round(b - a)} ms later (its interval is 800–1,200 ms)`);
    assert.ok(c - b >= 790, `asked for nothing, ran ${Math.round(c - b)} ms later: its jittered interval`);
  });
});
