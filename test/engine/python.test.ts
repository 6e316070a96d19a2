import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { executeRequest } from '../../src/engine/executeRequest.js';
import { pythonCheck } from '../../src/engine/python/pythonCheck.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { retryRequest } from '../../src/queue/cancelRequest.js';
import { resumedPayload } from '../../src/queue/resumePoint.js';
import { claimRequest, errorsOf, reclaim, runsOf, setFlow } from '../support/engine.js';
import { FIXTURES, fixtureFlow, processGroupGone, pythonHarness, pythonWith, pythonWithout } from '../support/python.js';
import { waitFor } from '../support/waitFor.js';

const python = pythonWith('psycopg2');

describe('dwprc retry --resume: param1 from the last run’s checkpoint (pure)', () => {
  test('the checkpoint replaces param1 where the payload had it; none, COMPLETED or the given value change nothing', () => {
    assert.deepEqual(resumedPayload({ param1: 'A', param2: 'x' }, 'BATCH-7'), { param1: 'BATCH-7', param2: 'x' });
    assert.deepEqual(resumedPayload({ params: { param1: 'A' }, truncate_flag: 'N' }, 'BATCH-7'), { params: { param1: 'BATCH-7' }, truncate_flag: 'N' });
    assert.deepEqual(resumedPayload({}, 'BATCH-7'), { param1: 'BATCH-7' });
    assert.equal(resumedPayload({ param1: 'A' }, null), null);
    assert.equal(resumedPayload({ param1: 'A' }, '  '), null);
    assert.equal(resumedPayload({ param1: 'A' }, 'completed'), null);
    assert.equal(resumedPayload({ params: { param1: 'A' } }, 'A'), null);
  });
});

describe('engine: Python job flows (execute_job) in supervised child processes', { skip: python.skip }, () => {
  let t: TestDatabase;
  const interpreter = python.interpreter!;
  before(async () => {
    t = await createTestDatabase();
    await sql`create table py_target (prcid bigint, day varchar(250), n int)`.execute(t.dialect.db);
  });
  after(() => t.drop());

  const targetRows = async (prcid: number) =>
    (await sql<{ day: string; n: number }>`select day, n from py_target where prcid = ${prcid} order by n`.execute(t.dialect.db)).rows;
  async function runFlow(mapref: string, code: string, settings: Parameters<typeof pythonHarness>[1] = { interpreter }, payload: Record<string, unknown> = {}) {
    await setFlow(t, mapref, code);
    const h = pythonHarness(t, settings);
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref, payload), h.context);
    return { outcome, runs: await runsOf(t, mapref), h };
  }

  test('counts, a checkpoint in PARAM1 through SESSIONID + PRCID, output lines with mapref and prcid: PC', async () => {
    const mapref = 'PY_COUNTS';
    await setFlow(t, mapref, fixtureFlow('counts'));
    const h = pythonHarness(t, { interpreter });
    const request = await claimRequest(t, 'IMMEDIATE', mapref, { params: { param1: '05-Mar-2027', param2: 'x' }, truncate_flag: 'N' });
    const outcome = await executeRequest(request, h.context);
    const [run] = await runsOf(t, mapref);
    assert.ok(run);
    assert.deepEqual(outcome, {
      status: 'DONE',
      started: true,
      result: { status: 'DONE', message: `${mapref} (PRCID ${run.prcid}) completed`, prcid: run.prcid, runStatus: 'PC', counts: { source: 4, target: 3, errors: 1 } },
    });
    assert.equal(run.status, 'PC');
    assert.equal(run.param1, 'COMPLETED', 'the flow updated its own row by SESSIONID + PRCID');
    assert.deepEqual((await targetRows(run.prcid)).map((r) => [r.day, r.n]), [['05-Mar-2027', 0], ['05-Mar-2027', 1], ['05-Mar-2027', 2]]);
    const output = h.lines.filter((l) => l.stream === 'stdout');
    assert.deepEqual(output.map((l) => l.msg), [`metadata session ${run.sessionid} runs prcid ${run.prcid} for ${mapref}`, 'loaded 3 rows for 05-Mar-2027']);
    for (const line of output) assert.deepEqual([line.mapref, line.prcid], [mapref, run.prcid]);
    const logs = await t.dialect.db.selectFrom('dwjoblog').selectAll().where('prcid', '=', run.prcid).execute();
    assert.deepEqual(logs.map((l) => [l.srcrows, l.trgrows, l.errrows, Number(l.sessionid)]), [[4, 3, 1, Number(run.sessionid)]]);
  });

  test('status ERROR: FL with its error_message, its work rolled back, one ERR row (the tool marked these PC)', async () => {
    const { outcome, runs } = await runFlow('PY_ERRSTATUS', fixtureFlow('error_status'));
    assert.equal(runs.length, 1);
    const run = runs[0]!;
    assert.equal(run.status, 'FL');
    assert.equal(run.msg, 'source table SRC_ORDERS is empty');
    assert.equal(outcome.status, 'FAILED');
    assert.deepEqual(await targetRows(run.prcid), []);
    const errors = await errorsOf(t, run.prcid);
    assert.deepEqual(errors.map((e) => [e.errtyp, e.errmsg]), [['ERR', 'source table SRC_ORDERS is empty']]);
  });

  test('an exception: FL, MSG its first line, the traceback in the ERR row', async () => {
    const { runs } = await runFlow('PY_RAISES', fixtureFlow('raises'));
    const run = runs[0]!;
    assert.equal(run.status, 'FL');
    assert.equal(run.msg, 'ValueError: bad amount in row 7');
    const [error] = await errorsOf(t, run.prcid);
    assert.match(error!.dberrmsg ?? '', /Traceback \(most recent call last\):[\s\S]*in helper[\s\S]*ValueError: bad amount in row 7\nsecond line/);
  });

  test('a syntax error: FL naming the line, before anything of the flow ran', async () => {
    const { runs } = await runFlow('PY_SYNTAX', 'def execute_job(metadata, source, target, params):\n    return {\n');
    assert.equal(runs[0]!.status, 'FL');
    assert.match(runs[0]!.msg ?? '', /^DWLOGIC of PY_SYNTAX is not valid Python: .* \(line \d\)$/);
  });

  test('both legacy arities run, with the target (= metadata) connection; another arity is FL naming it', async () => {
    const three = await runFlow('PY_LEGACY3', fixtureFlow('legacy3'));
    assert.equal(three.runs[0]!.status, 'PC');
    assert.deepEqual(await targetRows(three.runs[0]!.prcid), [{ day: 'legacy3', n: 3 }]);
    const two = await runFlow('PY_LEGACY2', fixtureFlow('legacy2'));
    assert.equal(two.runs[0]!.status, 'PC');
    assert.deepEqual(await targetRows(two.runs[0]!.prcid), [{ day: 'legacy2', n: 2 }]);
    const five = await runFlow('PY_ARITY5', 'def execute_job(a, b, c, d, e):\n    return {}\n');
    assert.equal(five.runs[0]!.status, 'FL');
    assert.match(five.runs[0]!.msg ?? '', /^execute_job takes 5 parameters; dwprc calls execute_job\(metadata_connection, source_connection, target_connection, session_params\)/);
  });

  test('imports resolve against DWPRC_PYTHONPATH (the tool backend’s modules.…); a flow’s own DWJOBLOG row is not doubled', async () => {
    const { runs } = await runFlow('PY_IMPORTS', fixtureFlow('imports'));
    const run = runs[0]!;
    assert.equal(run.status, 'PC', run.msg ?? '');
    const logs = await t.dialect.db.selectFrom('dwjoblog').select(['srcrows', 'trgrows']).where('prcid', '=', run.prcid).execute();
    assert.deepEqual(logs, [{ srcrows: 10, trgrows: 9 }]);
    const without = await runFlow('PY_IMPORTS_NOPATH', fixtureFlow('imports'), { interpreter, path: [] });
    assert.equal(without.runs[0]!.status, 'FL');
    assert.equal(without.runs[0]!.msg, "ModuleNotFoundError: No module named 'modules'");
  });

  test('os._exit: FL with the exit code; the worker carries on', async () => {
    const { runs, outcome } = await runFlow('PY_EXIT', fixtureFlow('os_exit'));
    assert.equal(outcome.status, 'FAILED');
    assert.equal(runs[0]!.status, 'FL');
    assert.equal(runs[0]!.msg, 'the Python process exited with code 3 before execute_job returned');
  });

  test('a missing interpreter or driver module: FAILED before any DWPRCLOG row, one line naming it', async (ctx) => {
    const missing = await runFlow('PY_NOPYTHON', fixtureFlow('noop'), { interpreter: '/nonexistent/python3' });
    assert.deepEqual(missing.runs, []);
    assert.equal(missing.outcome.started, false);
    assert.equal(missing.outcome.retryable, false);
    assert.match(missing.outcome.result.message, /^DWPRC_PYTHON: no Python interpreter "\/nonexistent\/python3" \(not found\); set DWPRC_PYTHON/);
    const bare = pythonWithout('psycopg2');
    if (!bare) return ctx.skip('the missing-driver half: every Python here has psycopg2 (the pyenv python3 on PATH has not, where there is one)');
    const noDriver = await runFlow('PY_NODRIVER', fixtureFlow('noop'), { interpreter: bare });
    assert.deepEqual(noDriver.runs, []);
    assert.equal(noDriver.outcome.started, false);
    assert.match(noDriver.outcome.result.message, /\(DWPRC_PYTHON\) has no module psycopg2 for the metadata connection: install it: apt-get install python3-psycopg2/);
  });

  test('force stop of a long sleep: ST within seconds, its process group gone, its session gone', async () => {
    const mapref = 'PY_SLEEP';
    await setFlow(t, mapref, fixtureFlow('sleep'));
    const h = pythonHarness(t, { interpreter });
    const running = executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), h.context);
    await waitFor(() => h.lines.some((l) => l.msg === 'sleeping'), 'the flow to sleep');
    const pid = h.lines.find((l) => l.msg === 'Python flow running in its child process')!.pid as number;
    const [open] = await runsOf(t, mapref);
    const password = decodeURIComponent(new URL(t.url).password);
    assert.ok(password.length > 0, 'the test database has a password to look for');
    for (const file of ['cmdline', 'environ']) {
      assert.ok(!readFileSync(`/proc/${pid}/${file}`, 'latin1').includes(password), `the password is not in the child's ${file}`);
    }
    assert.ok(!h.lines.some((l) => JSON.stringify(l).includes(password)), 'nor in any log line');
    h.kill();
    const outcome = await running;
    assert.equal(outcome.status, 'CANCELLED');
    const [run] = await runsOf(t, mapref);
    assert.equal(run!.status, 'ST');
    assert.equal(run!.msg, 'Stopped by stop request STOP-F (force)');
    await processGroupGone(pid);
    const sessions = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where pid = ${open!.sessionid}`.execute(t.dialect.db);
    assert.equal(sessions.rows[0]!.n, 0);
  });

  test('DWPRC_FLOW_TIMEOUT: FL "timed out after …", the process group ended', async () => {
    const { runs, h } = await runFlow('PY_TIMEOUT', fixtureFlow('sleep'), { interpreter, flowTimeoutMs: 1500 });
    assert.equal(runs[0]!.status, 'FL');
    assert.equal(runs[0]!.msg, 'timed out after 1.5s (DWPRC_FLOW_TIMEOUT); its Python process group was ended');
    const pid = h.lines.find((l) => l.msg === 'Python flow running in its child process')!.pid as number;
    await processGroupGone(pid);
  });

  test('graceful stop: the flow sees the STOP row and returns STOPPED: ST', async () => {
    const mapref = 'PY_GRACEFUL';
    await setFlow(t, mapref, fixtureFlow('graceful'));
    const h = pythonHarness(t, { interpreter });
    const running = executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), h.context);
    await waitFor(() => h.lines.some((l) => l.msg === 'batch loop started'), 'the batch loop');
    await t.dialect.db.insertInto('dwprcreq').values({ requestId: 'STOP-G', mapref, requestType: 'STOP', payload: '{}', status: 'CLAIMED' }).execute();
    h.stop();
    const outcome = await running;
    assert.equal(outcome.status, 'CANCELLED');
    const [run] = await runsOf(t, mapref);
    assert.equal(run!.status, 'ST');
    assert.equal(run!.msg, 'Stopped by stop request STOP-G');
  });

  test('history: one run per day, PARAM1 = DD-Mon-YYYY', async () => {
    const mapref = 'PY_HISTORY';
    await setFlow(t, mapref, fixtureFlow('counts'));
    const h = pythonHarness(t, { interpreter });
    const outcome = await executeRequest(await claimRequest(t, 'HISTORY', mapref, { start_date: '2027-02-27', end_date: '2027-03-01' }), h.context);
    assert.equal(outcome.status, 'DONE', outcome.result.message);
    const runs = await runsOf(t, mapref);
    assert.deepEqual(runs.map((r) => r.status), ['PC', 'PC', 'PC']);
    const days = await Promise.all(runs.map(async (r) => (await targetRows(r.prcid))[0]!.day));
    assert.deepEqual(days, ['27-Feb-2027', '28-Feb-2027', '01-Mar-2027']);
  });

  test('retry --resume: the retried run starts at the checkpoint its failed run left in PARAM1', async () => {
    const mapref = 'PY_RESUME';
    await setFlow(t, mapref, fixtureFlow('checkpoint'));
    const h = pythonHarness(t, { interpreter });
    const request = await claimRequest(t, 'IMMEDIATE', mapref, { param1: 'BATCH-1' });
    assert.equal((await executeRequest(request, h.context)).status, 'FAILED');
    await t.dialect.db.updateTable('dwprcreq').set({ status: 'FAILED' }).where('requestId', '=', request.requestId).execute();
    assert.deepEqual(await retryRequest(t.dialect, request.requestId, { resume: true }), { resumedAt: 'BATCH-2' });
    const retried = await reclaim(t, request);
    assert.deepEqual(retried.params.slice(0, 1), ['BATCH-2']);
    assert.equal((await executeRequest(retried, h.context)).status, 'DONE');
    const runs = await runsOf(t, mapref);
    assert.deepEqual(runs.map((r) => [r.status, r.param1]), [['FL', 'BATCH-2'], ['PC', 'COMPLETED']]);
    assert.deepEqual(h.lines.filter((l) => l.stream === 'stdout').map((l) => l.msg), ['starting at BATCH-1', 'starting at BATCH-2']);
    // Completed: nothing left to resume from, the request runs as it was.
    await t.dialect.db.updateTable('dwprcreq').set({ status: 'FAILED' }).where('requestId', '=', request.requestId).execute();
    assert.deepEqual(await retryRequest(t.dialect, request.requestId, { resume: true }), { resumedAt: null });
  });

  test('truncate_flag=Y: the child truncates the DWMAPR target on the target connection before the flow', async () => {
    const mapref = 'PY_TRUNCATE';
    await t.dialect.db.insertInto('dwmapr').values({ mapref, trgschm: null, trgtbnm: 'PY_TARGET', curflg: 'Y' }).execute();
    assert.ok(Number((await sql<{ n: number }>`select count(*)::int as n from py_target`.execute(t.dialect.db)).rows[0]!.n) > 0, 'earlier tests left rows');
    const { runs, h } = await runFlow(mapref, fixtureFlow('legacy2'), { interpreter }, { truncate_flag: 'Y' });
    assert.equal(runs[0]!.status, 'PC', runs[0]!.msg ?? '');
    const left = await sql<{ prcid: number }>`select prcid from py_target`.execute(t.dialect.db);
    assert.deepEqual(left.rows.map((r) => Number(r.prcid)), [runs[0]!.prcid]);
    assert.ok(h.lines.some((l) => l.msg === 'dwprc: target "py_target" truncated before the load' && l.prcid === runs[0]!.prcid));
  });

  test('doctor: the interpreter and its driver checked when Python flows exist; missing DWPRC_PYTHONPATH folders warn', async () => {
    const ok = await pythonCheck(t.dialect, { interpreter, path: [FIXTURES], flowTimeoutMs: null });
    assert.equal(ok.status, 'ok');
    assert.match(ok.detail, new RegExp(`^\\d+ Python job flows; ${interpreter} 3\\.\\d+\\.\\d+ with psycopg2; DWPRC_PYTHONPATH ${FIXTURES}$`));
    const nowhere = await pythonCheck(t.dialect, { interpreter: '/nonexistent/python3', path: [], flowTimeoutMs: null });
    assert.deepEqual([nowhere.status, nowhere.fix], ['fail', 'set DWPRC_PYTHON to a Python 3 with psycopg2 (apt-get install python3-psycopg2 (or pip install psycopg2-binary))']);
    assert.match(nowhere.detail, /but DWPRC_PYTHON \(\/nonexistent\/python3\) not found: their runs fail$/);
    const gone = await pythonCheck(t.dialect, { interpreter, path: ['/nonexistent/backend'], flowTimeoutMs: null });
    assert.equal(gone.status, 'warn');
    assert.match(gone.detail, /DWPRC_PYTHONPATH folder missing: \/nonexistent\/backend$/);
    const bare = pythonWithout('psycopg2');
    if (bare) assert.match((await pythonCheck(t.dialect, { interpreter: bare, path: [], flowTimeoutMs: null })).detail, /has no module psycopg2: their runs fail$/);
  });

  test('two concurrent runs: each output line carries its own run', async () => {
    await setFlow(t, 'PY_TWO_A', fixtureFlow('counts'));
    await setFlow(t, 'PY_TWO_B', fixtureFlow('counts'));
    const h = pythonHarness(t, { interpreter });
    await Promise.all(['PY_TWO_A', 'PY_TWO_B'].map(async (m) => executeRequest(await claimRequest(t, 'IMMEDIATE', m, { param1: m }), h.context)));
    for (const mapref of ['PY_TWO_A', 'PY_TWO_B']) {
      const [run] = await runsOf(t, mapref);
      const mine = h.lines.filter((l) => l.stream === 'stdout' && l.prcid === run!.prcid);
      assert.deepEqual(mine.map((l) => [l.mapref, l.msg]), [
        [mapref, `metadata session ${run!.sessionid} runs prcid ${run!.prcid} for ${mapref}`],
        [mapref, `loaded 3 rows for ${mapref}`],
      ]);
    }
  });
});
