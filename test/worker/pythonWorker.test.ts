import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runsOf, setFlow } from '../support/engine.js';
import { FIXTURES, fixtureFlow, processGroupGone, pythonWith } from '../support/python.js';
import { insertRequests } from '../support/requests.js';
import { waitFor } from '../support/waitFor.js';
import { serving, spawnWorker, stopWorkers, type WorkerProcess } from '../support/workerProcess.js';

const python = pythonWith('psycopg2');

/** Python flows under real `dwprc worker` processes: graceful STOP rows, a SIGKILLed worker. */
describe('worker: Python job flows', { skip: python.skip }, () => {
  let t: TestDatabase;
  const workers: WorkerProcess[] = [];
  const env = () => ({ DWPRC_PYTHON: python.interpreter!, DWPRC_PYTHONPATH: `${FIXTURES}/backend`, DWPRC_LEASE: '1500ms', DWPRC_POLL: '100ms', DWPRC_LOG_LEVEL: 'info' });
  const start = async () => {
    const worker = spawnWorker(t.url, env());
    workers.push(worker);
    await serving(t.dialect, worker);
    return worker;
  };
  const request = (id: string) => t.dialect.db.selectFrom('dwprcreq').selectAll().where('requestId', '=', id).executeTakeFirst();
  before(async () => {
    t = await createTestDatabase();
    await sql`create table py_gate (mapref varchar(100))`.execute(t.dialect.db);
  });
  after(async () => {
    await stopWorkers(workers);
    await t.drop();
  });

  test('graceful STOP of a Python run: the STOP row stays CLAIMED until the run ended ST, then DONE', async () => {
    const mapref = 'PYW_GRACEFUL';
    await setFlow(t, mapref, fixtureFlow('graceful'));
    const worker = await start();
    await insertRequests(t.dialect, [{ id: 'pyw-run', mapref, payload: JSON.stringify({ param2: 'gate' }) }]);
    await waitFor(() => worker.output().includes('batch loop started'), 'the batch loop');
    await insertRequests(t.dialect, [{ id: 'pyw-stop', mapref, type: 'STOP', payload: '{}' }]);
    await waitFor(async () => (await request('pyw-run'))?.stopRequested === 'G', 'the run to be marked');
    await waitFor(() => worker.output().includes('stop seen before batch'), 'the flow to see the STOP row');
    assert.equal((await request('pyw-stop'))?.status, 'CLAIMED', 'held while the run winds down');
    await t.dialect.db.insertInto('py_gate' as never).values({ mapref } as never).execute();
    await waitFor(async () => (await request('pyw-stop'))?.status === 'DONE', 'the STOP row to be DONE', 10_000);
    const [run] = await runsOf(t, mapref);
    assert.equal(run!.status, 'ST');
    const stop = (await request('pyw-stop'))!;
    assert.ok(stop.completedAt! >= run!.enddt!, `STOP completed ${stop.completedAt?.toISOString()} before the run ended ${run!.enddt?.toISOString()}`);
    assert.match(JSON.parse(stop.resultPayload!).message, /then ended CANCELLED \(run ST\)$/);
    assert.equal((await request('pyw-run'))?.status, 'CANCELLED');
    await stopWorkers([worker]);
  });

  test('a SIGKILLed worker leaves no Python process, and its run is reaped', async () => {
    const mapref = 'PYW_KILLED';
    await setFlow(t, mapref, fixtureFlow('sleep'));
    const worker = await start();
    await insertRequests(t.dialect, [{ id: 'pyw-killed', mapref }]);
    await waitFor(() => worker.output().includes('"msg":"sleeping"'), 'the flow to sleep');
    const line = worker.output().split('\n').find((l) => l.includes('Python flow running in its child process'))!;
    const { pid } = JSON.parse(line) as { pid: number };
    const [open] = await runsOf(t, mapref);
    worker.signal('SIGKILL');
    await worker.exited;
    await processGroupGone(pid, 5_000);
    await waitFor(async () => (await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where pid = ${open!.sessionid}`.execute(t.dialect.db)).rows[0]!.n === 0, 'its session to end', 5_000);
    await start();
    await waitFor(async () => (await runsOf(t, mapref))[0]!.status !== 'IP', 'the reaper to close the run', 15_000);
    assert.equal((await runsOf(t, mapref))[0]!.status, 'FL');
  });
});
