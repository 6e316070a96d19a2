import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertAsTheTool, stopFromTheLaterUi } from '../support/dmsTool.js';
import { insertFlows, sleepingBlock } from '../support/flows.js';
import { statuses } from '../support/requests.js';
import { waitFor } from '../support/waitFor.js';
import { serving, spawnWorker, stopWorkers, type WorkerProcess } from '../support/workerProcess.js';

/** A block for a DMS_ install: the same as sleepingBlock, on DMS_PRCLOG. */
const dmsBlock = (mapref: string, seconds: number) => sleepingBlock(mapref, seconds).replace(/\bdwprclog\b/g, 'dms_prclog');

/** A fresh DMS_ database for a suite, and the workers it starts: stopped, then dropped, after it. */
function dmsSuite(): { t: TestDatabase; running: WorkerProcess[] } {
  const suite = { t: undefined as unknown as TestDatabase, running: [] as WorkerProcess[] };
  before(async () => {
    suite.t = await createTestDatabase({ tablePrefix: 'DMS_' });
  });
  after(async () => {
    await stopWorkers(suite.running);
    await suite.t?.drop();
  });
  return suite;
}

/** Real worker processes on a DMS_ install, beside rows the DMS tool writes. */
describe('a worker beside the DMS tool (DMS_ tables)', () => {
  const s = dmsSuite();
  const env = { DWPRC_TABLE_PREFIX: 'DMS_', DWPRC_POLL: '200ms' };

  test('the tool\'s FILE_UPLOAD and REPORT:<id> rows are left exactly as they are; an unknown type fails alone; the start-up log names another claimer', async () => {
    await insertFlows(s.t.dialect, [{ mapref: 'SALES_FCT', dwlogic: dmsBlock('SALES_FCT', 0) }]);
    await insertAsTheTool(s.t.dialect.db, { id: 'a1b2c3d4-0000-4000-8000-000000000001', mapref: 'FLUPLD:SALES_2026', type: 'FILE_UPLOAD', payload: { flupldref: 'SALES_2026' } });
    await insertAsTheTool(s.t.dialect.db, { id: 'a1b2c3d4-0000-4000-8000-000000000002', mapref: 'REPORT:42', type: 'REPORT', payload: { reportId: 42 } });
    await insertAsTheTool(s.t.dialect.db, { id: 'a1b2c3d4-0000-4000-8000-000000000003', mapref: 'SALES_FCT', type: 'IMMEDIATE', payload: {} });
    await insertAsTheTool(s.t.dialect.db, { id: 'a1b2c3d4-0000-4000-8000-000000000004', mapref: 'SALES_FCT', type: 'EXPORT', payload: {} });
    // The tool's own scheduler service, left running, took one row its way.
    await insertAsTheTool(s.t.dialect.db, { id: 'a1b2c3d4-0000-4000-8000-000000000005', mapref: 'OTHER_FCT', type: 'IMMEDIATE', payload: {} });
    await sql`update dms_prcreq set status = 'PROCESSING', claimed_by = 'scheduler_service', claimed_at = current_timestamp
               where request_id = 'a1b2c3d4-0000-4000-8000-000000000005'`.execute(s.t.dialect.db);
    const foreignBefore = await sql`select * from dms_prcreq where request_type in ('FILE_UPLOAD', 'REPORT') order by request_id`.execute(s.t.dialect.db);

    const worker = spawnWorker(s.t.url, env);
    s.running.push(worker);
    await serving(s.t.dialect, worker);
    await waitFor(async () => {
      const now = await statuses(s.t.dialect);
      return now['a1b2c3d4-0000-4000-8000-000000000003'] === 'DONE' && now['a1b2c3d4-0000-4000-8000-000000000004'] === 'FAILED';
    }, 'the IMMEDIATE to run and the EXPORT to fail');
    // Two more claim rounds with nothing else to do: the foreign rows are still not touched.
    await insertAsTheTool(s.t.dialect.db, { id: 'a1b2c3d4-0000-4000-8000-000000000006', mapref: 'SALES_FCT', type: 'IMMEDIATE', payload: {} });
    await waitFor(async () => (await statuses(s.t.dialect))['a1b2c3d4-0000-4000-8000-000000000006'] === 'DONE', 'a later request to run');
    await stopWorkers([worker]);

    const foreignAfter = await sql`select * from dms_prcreq where request_type in ('FILE_UPLOAD', 'REPORT') order by request_id`.execute(s.t.dialect.db);
    assert.deepEqual(foreignAfter.rows, foreignBefore.rows, 'never claimed, never updated');
    const failed = await s.t.dialect.db.selectFrom('dwprcreq').select('resultPayload').where('requestId', '=', 'a1b2c3d4-0000-4000-8000-000000000004').executeTakeFirstOrThrow();
    assert.match(failed.resultPayload ?? '', /REQUEST_TYPE/i, 'an unknown type fails with its reason');
    assert.match(worker.output(), /requests are being claimed by something that is not a dwprc worker .*1 request\(s\) with STATUS PROCESSING/, worker.output());
  });
});

describe('a stop from the later UI (it closes the run row FL itself), real workers', () => {
  const s = dmsSuite();
  before(async () => {
    await insertFlows(s.t.dialect, [
      { mapref: 'LONG_FCT', dwlogic: dmsBlock('LONG_FCT', 60) },
      { mapref: 'SHORT_FCT', dwlogic: dmsBlock('SHORT_FCT', 2) },
    ]);
    const worker = spawnWorker(s.t.url, { DWPRC_TABLE_PREFIX: 'DMS_', DWPRC_POLL: '200ms' });
    s.running.push(worker);
    await serving(s.t.dialect, worker);
  });
  const runRow = async (mapref: string) =>
    (await sql<{ status: string; msg: string | null; prcid: string }>`select status, msg, prcid from dms_prclog where mapref = ${mapref}`.execute(s.t.dialect.db)).rows;
  const request = (id: string) => s.t.dialect.db.selectFrom('dwprcreq').select(['status', 'resultPayload']).where('requestId', '=', id).executeTakeFirstOrThrow();
  const started = (mapref: string) =>
    waitFor(async () => (await runRow(mapref)).some((r) => r.status === 'IP'), `${mapref} to start`);

  test('force: the pg_sleep(60) block is cancelled at once and ends ST naming the stop; the request CANCELLED; the STOP row DONE naming it', async () => {
    await insertAsTheTool(s.t.dialect.db, { id: 'run-long', mapref: 'LONG_FCT', type: 'IMMEDIATE', payload: {} });
    await started('LONG_FCT');
    await stopFromTheLaterUi(s.t.dialect.db, { stopId: 'stop-long', mapref: 'LONG_FCT', force: 'Y' });
    await waitFor(async () => (await request('run-long')).status !== 'CLAIMED', 'the run to stop', 20_000);
    const [row] = await runRow('LONG_FCT');
    assert.deepEqual([row!.status, row!.msg], ['ST', 'Stopped by stop request stop-long (force)']);
    assert.equal((await request('run-long')).status, 'CANCELLED');
    await waitFor(async () => (await request('stop-long')).status === 'DONE', 'the STOP row to be done');
    const stopRow = await request('stop-long');
    assert.match(stopRow.resultPayload ?? '', /"target":"run-long"/);
    assert.match(stopRow.resultPayload ?? '', new RegExp(`force stop requested for request run-long \\(PRCID ${row!.prcid}\\)`));
  });

  test('graceful: the DWLOGIC block runs to its end, and its row (closed FL by the UI) ends ST naming the stop, never PC; the request CANCELLED', async () => {
    await insertAsTheTool(s.t.dialect.db, { id: 'run-short', mapref: 'SHORT_FCT', type: 'IMMEDIATE', payload: {} });
    await started('SHORT_FCT');
    await stopFromTheLaterUi(s.t.dialect.db, { stopId: 'stop-short', mapref: 'SHORT_FCT', force: 'N' });
    await waitFor(async () => (await request('stop-short')).status === 'DONE', 'the STOP row to be handled');
    assert.match((await request('stop-short')).resultPayload ?? '', /graceful stop requested for request run-short/);
    await waitFor(async () => (await request('run-short')).status !== 'CLAIMED', 'the run to end', 20_000);
    const [row] = await runRow('SHORT_FCT');
    assert.deepEqual([row!.status, row!.msg], ['ST', 'Stopped by stop request stop-short; the flow had already run to its end']);
    const ended = await request('run-short');
    assert.equal(ended.status, 'CANCELLED', 'the request ends as its run row did');
    assert.match(ended.resultPayload ?? '', new RegExp(`SHORT_FCT \\(PRCID ${row!.prcid}\\) stopped: Stopped by stop request stop-short; the flow had already run to its end`));
  });
});

describe('a parent re-saved by the later tool (its row retired, a new one inserted, children not re-pointed)', () => {
  const s = dmsSuite();
  const env = { DWPRC_TABLE_PREFIX: 'DMS_', DWPRC_POLL: '200ms', DWPRC_TICK: '200ms' };

  test('the child still runs after its parent MAPREF; schedule list, why and the cycle check see the link', async () => {
    await insertFlows(s.t.dialect, [{ mapref: 'PARENT_FCT', dwlogic: dmsBlock('PARENT_FCT', 0) }, { mapref: 'CHILD_FCT', dwlogic: dmsBlock('CHILD_FCT', 0) }]);
    const ids: Record<string, number> = {};
    await s.t.dialect.db.transaction().execute(async (trx) => {
      for (const mapref of ['PARENT_FCT', 'CHILD_FCT']) {
        const { rows } = await sql<{ id: number }>`select pkgdwprc.create_job_schedule(${mapref}, 'DL', null, '01', '00', current_date::timestamp + interval '1 day', null) as id`.execute(trx);
        ids[mapref] = Number(rows[0]!.id);
        await sql`select pkgdwprc.enable_disable_schedule(${mapref}, 'E')`.execute(trx);
      }
      await sql`select pkgdwprc.create_job_dependency('PARENT_FCT', 'CHILD_FCT')`.execute(trx);
    });
    // The later tool's schedule save, in its shape: retire the current row, insert a new one.
    await s.t.dialect.db.transaction().execute(async (trx) => {
      await sql`update dms_jobsch set curflg = 'N', recupdt = current_timestamp where jobschid = ${ids.PARENT_FCT}`.execute(trx);
      await sql`insert into dms_jobsch (jobschid, jobflwid, mapref, frqcd, frqdd, frqhh, frqmi, strtdt, enddt, stflg, reccrdt, recupdt, curflg, schflg, nxt_run_dt)
                values (nextval('dms_jobschseq'), 1, 'PARENT_FCT', 'DL', null, 2, 30, current_date + 1, null, 'A', current_timestamp, current_timestamp, 'Y', 'N', null)`.execute(trx);
    });
    const child = await s.t.dialect.db.selectFrom('dwjobsch').select('dpndJobschid').where('mapref', '=', 'CHILD_FCT').where('curflg', '=', 'Y').executeTakeFirstOrThrow();
    assert.equal(Number(child.dpndJobschid), ids.PARENT_FCT, 'the child still names the retired row');

    const list = await runCli(['schedule', 'list', '--json'], { DWPRC_DATABASE_URL: s.t.url, DWPRC_TABLE_PREFIX: 'DMS_' });
    assert.equal(list.code, 0, list.stderr);
    assert.equal((JSON.parse(list.stdout) as { schedules: { mapref: string; parent: string | null }[] }).schedules.find((s) => s.mapref === 'CHILD_FCT')?.parent, 'PARENT_FCT');
    const why = await runCli(['why', 'CHILD_FCT'], { DWPRC_DATABASE_URL: s.t.url, DWPRC_TABLE_PREFIX: 'DMS_' });
    assert.match(why.stdout, /PARENT_FCT/, why.stdout + why.stderr);
    await assert.rejects(sql`select pkgdwprc.create_job_dependency('CHILD_FCT', 'PARENT_FCT')`.execute(s.t.dialect.db), /Dependency refused: CHILD_FCT already depends on PARENT_FCT/);

    const worker = spawnWorker(s.t.url, env);
    s.running.push(worker);
    await serving(s.t.dialect, worker);
    await insertAsTheTool(s.t.dialect.db, { id: 'parent-run', mapref: 'PARENT_FCT', type: 'IMMEDIATE', payload: {} });
    await waitFor(async () => {
      const rows = await s.t.dialect.db.selectFrom('dwprcreq').select(['status', 'payload']).where('mapref', '=', 'CHILD_FCT').execute();
      return rows.length === 1 && rows[0]!.status === 'DONE';
    }, 'the child to run after its parent', 20_000);
    const [queued] = await s.t.dialect.db.selectFrom('dwprcreq').select('payload').where('mapref', '=', 'CHILD_FCT').execute();
    assert.match(queued!.payload ?? '', /"source":"dependency".*"parent_mapref":"PARENT_FCT"/);
  });
});
