import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { executeRequest } from '../../src/engine/executeRequest.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { claimRequest, dwlogic, errorsOf, harness, runsOf, setFlow } from '../support/engine.js';

describe('engine: DWLOGIC blocks run by the run protocol', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await sql`create table dl_target (prcid bigint, day varchar(250), n int)`.execute(t.dialect.db);
  });
  after(() => t.drop());

  test('a block that succeeds: IP row on its own session, DWT_PARAM1 read back, DWJOBLOG counts, PC', async () => {
    const mapref = 'DL_OK';
    const jobflwid = await setFlow(
      t,
      mapref,
      dwlogic(
        mapref,
        `  INSERT INTO dl_target SELECT v_prcid, v_param1, g FROM generate_series(1, 3) g;
  CALL pkgdwprc.create_job_log(v_joblogid, v_sessionid, v_prcid, localtimestamp(0)::timestamp, '${mapref}', v_jobid, 5, 3, 2);`,
      ),
    );
    const request = await claimRequest(t, 'IMMEDIATE', mapref, { param1: '05-Mar-2027', param3: 'x y' });
    const outcome = await executeRequest(request, harness(t).context);

    const [run] = await runsOf(t, mapref);
    assert.ok(run);
    assert.deepEqual(outcome, {
      status: 'DONE',
      started: true,
      result: { status: 'DONE', message: `${mapref} (PRCID ${run.prcid}) completed`, prcid: run.prcid, runStatus: 'PC', counts: { source: 5, target: 3, errors: 2 } },
    });
    assert.equal(run.status, 'PC');
    assert.equal(run.jobid, 77);
    assert.equal(run.jobflwid, jobflwid);
    assert.equal(run.param1, '05-Mar-2027');
    assert.equal(run.param2, null);
    assert.equal(run.param3, 'x y');
    assert.equal(run.prclog, 'Parameters used: DWT_PARAM1=05-Mar-2027 , DWT_PARAM3=x y');
    assert.equal(run.msg, null);
    assert.ok(run.strtdt && run.enddt && run.reccrdt && run.recupdt);
    assert.ok(run.enddt >= run.strtdt);
    assert.ok(Number(run.sessionid) > 0);

    const { rows } = await sql<{ day: string; n: number }>`select day, count(*)::int as n from dl_target where prcid = ${run.prcid} group by day`.execute(t.dialect.db);
    assert.deepEqual(rows, [{ day: '05-Mar-2027', n: 3 }]);
    const logs = await t.dialect.db.selectFrom('dwjoblog').selectAll().where('prcid', '=', run.prcid).execute();
    assert.deepEqual(logs.map((l) => [l.srcrows, l.trgrows, l.errrows, l.jobid, Number(l.sessionid)]), [[5, 3, 2, 77, Number(run.sessionid)]]);
    const req = await t.dialect.db.selectFrom('dwprcreq').select(['prcid', 'status']).where('requestId', '=', request.requestId).executeTakeFirstOrThrow();
    assert.deepEqual(req, { prcid: run.prcid, status: 'CLAIMED' }, 'the engine records PRCID; completing the request is the worker’s');
  });

  test('a block that logs row errors through pkgdwprc.log_job_error but returns ends PC, keeping MSG', async () => {
    const mapref = 'DL_ROWERR';
    await setFlow(
      t,
      mapref,
      dwlogic(
        mapref,
        `  CALL pkgdwprc.log_job_error(null, v_sessionid, v_prcid, localtimestamp(0)::timestamp, v_jobid, '${mapref}', 'ERR', 'ORA-01400: cannot insert NULL', 'customer 17 has no name', 'CUST=17');`,
      ),
    );
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), harness(t).context);
    const [run] = await runsOf(t, mapref);
    assert.equal(outcome.status, 'DONE');
    assert.equal(run!.status, 'PC');
    assert.equal(run!.msg, 'customer 17 has no name');
    const errors = await errorsOf(t, run!.prcid);
    assert.deepEqual(errors.map((e) => [e.errtyp, e.errmsg, e.keyvalue]), [['ERR', 'customer 17 has no name', 'CUST=17']]);
  });

  test('a block that raises ends FL with the error as MSG and an engine-written DWJOBERR row', async () => {
    const mapref = 'DL_RAISE';
    await setFlow(t, mapref, dwlogic(mapref, `  PERFORM 1 / 0;`));
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), harness(t).context);
    const [run] = await runsOf(t, mapref);
    assert.equal(run!.status, 'FL');
    assert.equal(run!.msg, 'division by zero');
    assert.ok(run!.enddt);
    assert.deepEqual(outcome, {
      status: 'FAILED',
      started: true,
      result: { status: 'FAILED', message: `${mapref} (PRCID ${run!.prcid}) failed: division by zero`, prcid: run!.prcid, runStatus: 'FL' },
    });
    const errors = await errorsOf(t, run!.prcid);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.errtyp, 'ERR');
    assert.equal(errors[0]!.errmsg, 'division by zero');
    assert.equal(errors[0]!.joblogid, 0);
    assert.equal(errors[0]!.jobid, 77);
    assert.match(errors[0]!.dberrmsg!, /^SQLSTATE 22012: division by zero\nCONTEXT: .*PL\/pgSQL/s);
  });

  test('a block that logged its error and then raised keeps its own DWJOBERR row only', async () => {
    const mapref = 'DL_LOGRAISE';
    await setFlow(
      t,
      mapref,
      dwlogic(
        mapref,
        `  CALL pkgdwprc.log_job_error(null, v_sessionid, v_prcid, localtimestamp(0)::timestamp, v_jobid, '${mapref}', 'ERR', 'db text', 'load aborted', null);
  COMMIT;
  CALL pkgerr.raise_error('${mapref}', 'LOAD', '10', 'load aborted');`,
      ),
    );
    await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), harness(t).context);
    const [run] = await runsOf(t, mapref);
    assert.equal(run!.status, 'FL');
    assert.equal(run!.msg, `${mapref}::LOAD::10::load aborted`);
    assert.deepEqual((await errorsOf(t, run!.prcid)).map((e) => e.errmsg), ['load aborted']);
  });

  test('a block that does not compile ends FL, not IP', async () => {
    const mapref = 'DL_SYNTAX';
    await setFlow(t, mapref, `DO $$ BEGIN SELEC 1; END $$`);
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), harness(t).context);
    const [run] = await runsOf(t, mapref);
    assert.equal(outcome.status, 'FAILED');
    assert.equal(run!.status, 'FL');
    assert.match(run!.msg!, /syntax error at or near "SELEC"/);
    assert.equal((await errorsOf(t, run!.prcid)).length, 1);
  });

  test('a block that COMMITs by itself keeps its committed batches when it fails later', async () => {
    const mapref = 'DL_COMMITS';
    await setFlow(
      t,
      mapref,
      dwlogic(
        mapref,
        `  INSERT INTO dl_target VALUES (v_prcid, 'batch', 1); COMMIT;
  INSERT INTO dl_target VALUES (v_prcid, 'batch', 2); COMMIT;
  INSERT INTO dl_target VALUES (v_prcid, 'batch', 3);
  RAISE EXCEPTION 'third batch failed';`,
      ),
    );
    await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), harness(t).context);
    const [run] = await runsOf(t, mapref);
    assert.equal(run!.status, 'FL');
    assert.equal(run!.msg, 'third batch failed');
    const { rows } = await sql<{ n: number }>`select n from dl_target where prcid = ${run!.prcid} order by n`.execute(t.dialect.db);
    assert.deepEqual(rows.map((r) => r.n), [1, 2]);
  });

  test('Python in DWLOGIC is refused: FAILED, not retryable, no run row', async () => {
    const mapref = 'DL_PYTHON';
    await setFlow(t, mapref, `import pandas as pd\n\ndef run(conn):\n    df = pd.read_sql("select 1", conn)\n`);
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), harness(t).context);
    assert.equal(outcome.status, 'FAILED');
    assert.equal(outcome.started, false);
    assert.equal(outcome.retryable, false);
    assert.match(outcome.result.message, /^DWLOGIC of DL_PYTHON \(JOBFLWID \d+\) is Python code/);
    assert.deepEqual(await runsOf(t, mapref), []);
  });

  test('no active flow: FAILED with the exact message, no run row', async () => {
    const mapref = 'DL_NOFLOW';
    await t.dialect.db.insertInto('dwjobflw').values({ jobflwid: 9001, jobid: 1, mapref, dwlogic: 'DO $$ BEGIN END $$', stflg: 'N', curflg: 'Y' }).execute();
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), harness(t).context);
    assert.deepEqual(outcome, { status: 'FAILED', started: false, retryable: false, result: { status: 'FAILED', message: 'No active job flow found for DL_NOFLOW' } });
    assert.deepEqual(await runsOf(t, mapref), []);
  });

  test('a request no longer claimed by this worker starts nothing and writes no run row', async () => {
    const mapref = 'DL_STOLEN';
    await setFlow(t, mapref, dwlogic(mapref, '  NULL;'));
    const request = await claimRequest(t, 'IMMEDIATE', mapref);
    await t.dialect.db.updateTable('dwprcreq').set({ claimedBy: 'other-host:2:slot1' }).where('requestId', '=', request.requestId).execute();
    const outcome = await executeRequest(request, harness(t).context);
    assert.equal(outcome.status, 'FAILED');
    assert.equal(outcome.started, false);
    assert.match(outcome.result.message, /no longer claimed by test-host:1:slot0/);
    assert.deepEqual(await runsOf(t, mapref), []);
  });

  test('a row closed FL by a reaper meanwhile is not resurrected when the block returns', async () => {
    const mapref = 'DL_REAPED';
    // The block plays the reaper: it closes its own row FL and hands the request back, then returns.
    await setFlow(
      t,
      mapref,
      dwlogic(
        mapref,
        `  UPDATE dwprclog SET status = 'FL', msg = 'lease expired: reaped' WHERE prcid = v_prcid;
  UPDATE dwprcreq SET status = 'NEW', claimed_by = NULL WHERE prcid = v_prcid;
  COMMIT;`,
      ),
    );
    await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), harness(t).context);
    const [run] = await runsOf(t, mapref);
    assert.equal(run!.status, 'FL');
    assert.equal(run!.msg, 'lease expired: reaped');
  });

  test('a stale IP row of the same session id is closed FL "superseded" before the new row', async () => {
    // One pooled connection: the run session is necessarily the backend of the stale row.
    const single = new PostgresDialect({ url: t.url, schema: null, tablePrefix: 'DW', poolMax: 1 });
    try {
      const mapref = 'DL_STALE';
      await setFlow(t, mapref, dwlogic(mapref, '  NULL;'));
      const pid = await single.selectValue(single.sessionId());
      await t.dialect.db.insertInto('dwprclog').values({ prcid: 900001, mapref, status: 'IP', sessionid: pid, strtdt: t.dialect.localNow() }).execute();
      const h = harness(t);
      const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), { ...h.context, dialect: single });
      assert.equal(outcome.status, 'DONE', outcome.result.message);
      const runs = await runsOf(t, mapref);
      assert.equal(runs.length, 2);
      const stale = runs.find((r) => r.prcid === 900001)!;
      assert.equal(stale.status, 'FL');
      assert.equal(stale.msg, 'superseded: session reused by a new run');
      assert.ok(stale.enddt);
      assert.equal((await errorsOf(t, 900001)).length, 1, 'a failed run always has an ERR row');
      const fresh = runs.find((r) => r.prcid !== 900001)!;
      assert.equal(fresh.status, 'PC');
      assert.equal(Number(fresh.sessionid), pid);
    } finally {
      await single.close();
    }
  });

  test('a run that could not start (claim lost) does not spare its connection the stale-row look-up', async () => {
    const single = new PostgresDialect({ url: t.url, schema: null, tablePrefix: 'DW', poolMax: 1 });
    try {
      const mapref = 'DL_STALE_AFTER_LOSS';
      await setFlow(t, mapref, dwlogic(mapref, '  NULL;'));
      const context = { ...harness(t).context, dialect: single };
      const lost = await claimRequest(t, 'IMMEDIATE', mapref);
      await t.dialect.db.updateTable('dwprcreq').set({ claimedBy: 'other-host:2:slot1' }).where('requestId', '=', lost.requestId).execute();
      assert.equal((await executeRequest(lost, context)).started, false);
      // Written by hand after that first run: only the look-up of the next run can close it.
      const pid = await single.selectValue(single.sessionId());
      await t.dialect.db.insertInto('dwprclog').values({ prcid: 900002, mapref, status: 'IP', sessionid: pid, strtdt: t.dialect.localNow() }).execute();
      const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), context);
      assert.equal(outcome.status, 'DONE', outcome.result.message);
      const stale = (await runsOf(t, mapref)).find((r) => r.prcid === 900002)!;
      assert.deepEqual([stale.status, stale.msg], ['FL', 'superseded: session reused by a new run']);
    } finally {
      await single.close();
    }
  });
});
