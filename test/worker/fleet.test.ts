import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertFlows, sleepingBlock } from '../support/flows.js';
import { insertRequests, statuses } from '../support/requests.js';
import { waitFor } from '../support/waitFor.js';
import { spawnWorker, stopWorkers, type WorkerProcess } from '../support/workerProcess.js';

/** Real worker processes against one database: the point of these tests is concurrency. */
describe('a fleet of worker processes', () => {
  let t: TestDatabase;
  const running: WorkerProcess[] = [];
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => {
    await stopWorkers(running);
    await t.drop();
  });

  test('4 processes × 4 slots drain 2,000 requests over 200 MAPREFs: each exactly once, never a MAPREF twice at once', async () => {
    const maprefs = Array.from({ length: 200 }, (_, i) => `FLEET_${i}`);
    await insertFlows(t.dialect, maprefs.map((mapref) => ({ mapref, dwlogic: sleepingBlock(mapref, 0.002) })));
    await insertRequests(t.dialect, Array.from({ length: 2000 }, (_, i) => ({ id: `f${i}`, mapref: maprefs[i % 200]!, at: i })));
    const fleet = Array.from({ length: 4 }, () => spawnWorker(t.url, { DWPRC_CONCURRENCY: '4', DWPRC_POLL: '200ms' }));
    running.push(...fleet);
    await waitFor(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from dwprcreq where status in ('NEW', 'CLAIMED')`.execute(t.dialect.db);
      return rows[0]!.n === 0;
    }, 'the queue to drain', 180_000);
    await stopWorkers(fleet);
    assert.deepEqual(fleet.map((w) => w.child.exitCode), [0, 0, 0, 0], fleet.map((w) => w.output()).join('\n'));

    const byStatus = Object.values(await statuses(t.dialect)).reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
    assert.deepEqual(byStatus, { DONE: 2000 });
    const { rows: runs } = await sql<{ mapref: string; status: string; strtdt: Date; enddt: Date }>`
      select mapref, status, strtdt, enddt from dwprclog order by mapref, strtdt`.execute(t.dialect.db);
    assert.equal(runs.length, 2000, 'one DWPRCLOG row per request: nothing ran twice');
    assert.ok(runs.every((r) => r.status === 'PC'));
    for (let i = 1; i < runs.length; i++) {
      const [prev, cur] = [runs[i - 1]!, runs[i]!];
      if (prev.mapref === cur.mapref) assert.ok(prev.enddt <= cur.strtdt, `${cur.mapref} overlapped: ${prev.enddt.toISOString()} > ${cur.strtdt.toISOString()}`);
    }
    const { rows: byWorker } = await sql<{ n: number }>`select count(distinct claimed_by)::int as n from dwprcreq`.execute(t.dialect.db);
    assert.equal(byWorker[0]!.n, 4, 'every process took part');
  });

  test('a worker killed with SIGKILL mid-run: the request is reaped and completed by another worker', async () => {
    await insertFlows(t.dialect, [{ mapref: 'KILLME', dwlogic: sleepingBlock('KILLME', 1.5) }], 1000);
    const env = { DWPRC_LEASE: '1500ms', DWPRC_RETRY_BASE: '100ms', DWPRC_POLL: '200ms' };
    const victim = spawnWorker(t.url, env);
    running.push(victim);
    await insertRequests(t.dialect, [{ id: 'killed', mapref: 'KILLME', at: 5000 }]);
    await waitFor(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from dwprclog where mapref = 'KILLME' and status = 'IP'`.execute(t.dialect.db);
      return rows[0]!.n === 1;
    }, 'the run to start');
    victim.signal('SIGKILL');
    await victim.exited;
    const rescuer = spawnWorker(t.url, env);
    running.push(rescuer);
    await waitFor(async () => (await statuses(t.dialect)).killed === 'DONE', 'the request to be completed by the rescuer', 30_000);
    const { rows } = await sql<{ status: string; msg: string | null }>`select status, msg from dwprclog where mapref = 'KILLME' order by prcid`.execute(t.dialect.db);
    assert.deepEqual(rows, [
      { status: 'FL', msg: 'worker lost: lease expired' },
      { status: 'PC', msg: null },
    ]);
    const req = await t.dialect.db.selectFrom('dwprcreq').select(['attempts', 'claimedBy']).where('requestId', '=', 'killed').executeTakeFirstOrThrow();
    assert.equal(req.attempts, 2);
    await stopWorkers([rescuer]);
  });

  test('SIGTERM lets a running flow finish: PC, DONE, exit 0', async () => {
    await insertFlows(t.dialect, [{ mapref: 'GRACE', dwlogic: sleepingBlock('GRACE', 1) }], 2000);
    const w = spawnWorker(t.url, { DWPRC_POLL: '200ms' });
    running.push(w);
    await insertRequests(t.dialect, [{ id: 'graceful', mapref: 'GRACE', at: 6000 }]);
    await waitFor(async () => (await statuses(t.dialect)).graceful === 'CLAIMED', 'the run to start');
    w.signal('SIGTERM');
    assert.equal(await w.exited, 0, w.output());
    assert.equal((await statuses(t.dialect)).graceful, 'DONE');
    const { rows } = await sql<{ status: string }>`select status from dwprclog where mapref = 'GRACE'`.execute(t.dialect.db);
    assert.deepEqual(rows, [{ status: 'PC' }]);
  });
});
