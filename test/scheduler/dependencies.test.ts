import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertFlows, sleepingBlock } from '../support/flows.js';
import { insertRequests } from '../support/requests.js';
import { waitFor } from '../support/waitFor.js';
import { serving, spawnWorker, stopWorkers, type WorkerProcess } from '../support/workerProcess.js';

interface Run {
  prcid: number;
  mapref: string;
  status: string;
  param1: string | null;
  strtdt: Date;
  enddt: Date;
}

/**
 * A chain A → B → C (DWJOBSCH.DPND_JOBSCHID), made through the compatibility package as the UI
 * makes it, run by two worker processes: A's firing runs A, then B, then C; a failing B stops the
 * chain; a HISTORY of A becomes a HISTORY of B, and of C, over the same days.
 */
describe('dependency chains on worker processes', () => {
  let t: TestDatabase;
  const workers: WorkerProcess[] = [];
  const jobschid: Record<string, number> = {};
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => {
    await stopWorkers(workers);
    await t.drop();
  });

  const runs = async (mapref: string) =>
    (await sql<Run>`select prcid, mapref, status, param1, strtdt, enddt from dwprclog where mapref = ${mapref} order by strtdt, prcid`.execute(t.dialect.db)).rows;
  const requestsOf = (mapref: string) =>
    t.dialect.db.selectFrom('dwprcreq').select(['requestId', 'requestType', 'status', 'payload']).where('mapref', '=', mapref).orderBy('requestedAt').execute();
  const settled = () =>
    waitFor(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from dwprcreq where status in ('NEW', 'CLAIMED')`.execute(t.dialect.db);
      return rows[0]!.n === 0;
    }, 'the queue to settle', 30_000);
  const setFlow = (mapref: string, dwlogic: string) => t.dialect.db.updateTable('dwjobflw').set({ dwlogic }).where('mapref', '=', mapref).execute();
  const ordered = (first: Run, then: Run, what: string) =>
    assert.ok(then.strtdt >= first.enddt, `${what}: PRCID ${then.prcid} started ${then.strtdt.toISOString()} before PRCID ${first.prcid} ended ${first.enddt.toISOString()}`);

  before(async () => {
    await insertFlows(t.dialect, ['DEP_A', 'DEP_B', 'DEP_C'].map((mapref) => ({ mapref, dwlogic: sleepingBlock(mapref, 0.05) })));
    const today = DateTime.utc().toISODate()!;
    await t.dialect.db.transaction().execute(async (trx) => {
      for (const mapref of ['DEP_A', 'DEP_B', 'DEP_C']) {
        const { rows } = await sql<{ id: number }>`
          select pkgdwprc.create_job_schedule(${mapref}, 'DL', null, '00', '00', ${today}::timestamp, null) as id`.execute(trx);
        jobschid[mapref] = rows[0]!.id;
        await sql`select pkgdwprc.enable_disable_schedule(${mapref}, 'E')`.execute(trx);
      }
      await sql`select pkgdwprc.create_job_dependency('DEP_A', 'DEP_B')`.execute(trx);
      await sql`select pkgdwprc.create_job_dependency('DEP_B', 'DEP_C')`.execute(trx);
    });
    const env = { DWPRC_TICK: '200ms', DWPRC_POLL: '200ms' };
    workers.push(spawnWorker(t.url, env), spawnWorker(t.url, env));
    await Promise.all(workers.map((w) => serving(t.dialect, w)));
  });

  test('A fires on its schedule, then B runs, then C: each after its parent ended', async () => {
    const parents = await t.dialect.db.selectFrom('dwjobsch').select(['mapref', 'dpndJobschid']).where('curflg', '=', 'Y').orderBy('mapref').execute();
    assert.deepEqual(parents, [
      { mapref: 'DEP_A', dpndJobschid: null },
      { mapref: 'DEP_B', dpndJobschid: jobschid.DEP_A },
      { mapref: 'DEP_C', dpndJobschid: jobschid.DEP_B },
    ]);
    await waitFor(async () => {
      const row = await t.dialect.db.selectFrom('dwjobsch').select('nxtRunDt').where('jobschid', '=', jobschid.DEP_A!).executeTakeFirstOrThrow();
      return row.nxtRunDt !== null;
    }, "A's first occurrence computed by a tick");
    // Today's 00:00 already passed: as if the fleet had been down at midnight, it fires once now.
    const midnight = DateTime.utc().startOf('day');
    await t.dialect.db.updateTable('dwjobsch').set({ nxtRunDt: midnight.toJSDate() }).where('jobschid', '=', jobschid.DEP_A!).execute();
    await waitFor(async () => (await requestsOf('DEP_C')).some((r) => r.status === 'DONE'), 'C to run after A and B', 30_000);
    await settled();

    const [a] = await requestsOf('DEP_A');
    assert.deepEqual([a!.requestId, a!.status], [`S${jobschid.DEP_A}-${midnight.toFormat('yyyyMMddHHmm')}`, 'DONE']);
    const [runA] = await runs('DEP_A');
    const [b] = await requestsOf('DEP_B');
    assert.equal(b!.requestId, `D${runA!.prcid}-${jobschid.DEP_B}`);
    assert.deepEqual(JSON.parse(b!.payload!), { source: 'dependency', jobschid: jobschid.DEP_B, parent_mapref: 'DEP_A', parent_request_id: a!.requestId, parent_prcid: runA!.prcid });
    const [runB] = await runs('DEP_B');
    const [c] = await requestsOf('DEP_C');
    assert.equal(c!.requestId, `D${runB!.prcid}-${jobschid.DEP_C}`);
    const [runC] = await runs('DEP_C');
    assert.deepEqual([runA!.status, runB!.status, runC!.status, b!.status, c!.status], ['PC', 'PC', 'PC', 'DONE', 'DONE']);
    ordered(runA!, runB!, 'B after A');
    ordered(runB!, runC!, 'C after B');
  });

  test('a failing B stops the chain: no request for C', async () => {
    await setFlow('DEP_B', `DO $$ BEGIN RAISE EXCEPTION 'B cannot load today'; END $$`);
    const before = (await requestsOf('DEP_C')).length;
    await insertRequests(t.dialect, [{ id: 'dep-a-again', mapref: 'DEP_A', at: 100_000 }]);
    await waitFor(async () => (await requestsOf('DEP_B')).some((r) => r.status === 'FAILED'), 'B to fail', 30_000);
    await settled();
    const runB = (await runs('DEP_B')).at(-1)!;
    assert.equal(runB.status, 'FL');
    const runA = (await runs('DEP_A')).at(-1)!;
    ordered(runA, runB, 'B after A');
    // Children are queued in the transaction that completes their parent DONE: B ended FAILED, so never.
    assert.equal((await requestsOf('DEP_C')).length, before, 'C got nothing');
    const failed = (await requestsOf('DEP_B')).find((r) => r.status === 'FAILED')!;
    assert.match(JSON.parse(failed.payload!).parent_request_id, /^dep-a-again$/);
  });

  test('a HISTORY of A is a HISTORY of B, and of C, over the same days, each day after the parent finished', async () => {
    await setFlow('DEP_B', sleepingBlock('DEP_B', 0.05));
    const range = { start_date: '2028-02-28', end_date: '2028-03-01' };
    await insertRequests(t.dialect, [{ id: 'dep-a-hist', mapref: 'DEP_A', type: 'HISTORY', payload: JSON.stringify(range), at: 200_000 }]);
    await waitFor(async () => (await requestsOf('DEP_C')).some((r) => r.requestType === 'HISTORY' && r.status === 'DONE'), 'the history to reach C', 30_000);
    await settled();

    const days = ['28-Feb-2028', '29-Feb-2028', '01-Mar-2028'];
    const daysOf = async (mapref: string) => (await runs(mapref)).filter((r) => r.param1 !== null && days.includes(r.param1));
    const [a, b, c] = [await daysOf('DEP_A'), await daysOf('DEP_B'), await daysOf('DEP_C')];
    for (const [name, its] of [['A', a], ['B', b], ['C', c]] as const) {
      assert.deepEqual(its.map((r) => [r.param1, r.status]), days.map((d) => [d, 'PC']), `${name}: one PC run per day, in order`);
    }
    ordered(a.at(-1)!, b[0]!, "B's first day after A's last");
    ordered(b.at(-1)!, c[0]!, "C's first day after B's last");

    const bHistory = (await requestsOf('DEP_B')).find((r) => r.requestType === 'HISTORY')!;
    assert.equal(bHistory.requestId, `Ddep-a-hist-${jobschid.DEP_B}`);
    assert.deepEqual(JSON.parse(bHistory.payload!), { source: 'dependency', jobschid: jobschid.DEP_B, parent_mapref: 'DEP_A', parent_request_id: 'dep-a-hist', ...range });
    const cHistory = (await requestsOf('DEP_C')).find((r) => r.requestType === 'HISTORY')!;
    assert.equal(cHistory.requestId, `D${bHistory.requestId}-${jobschid.DEP_C}`);
    assert.deepEqual({ start_date: JSON.parse(cHistory.payload!).start_date, end_date: JSON.parse(cHistory.payload!).end_date }, range);

    await stopWorkers(workers);
    assert.deepEqual(workers.map((w) => w.child.exitCode), [0, 0], workers.map((w) => w.output()).join('\n'));
  });
});
