import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { executeRequest } from '../../src/engine/executeRequest.js';
import { defineFlow } from '../../src/engine/flow.js';
import { loadFlows } from '../../src/engine/loadFlows.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { claimRequest, dwlogic, errorsOf, type Harness, harness, runsOf, setFlow } from '../support/engine.js';
import { waitFor } from '../support/waitFor.js';

const FLOWS = path.resolve(import.meta.dirname, '..', 'fixtures', 'flows');

describe('engine: TypeScript flows', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await sql`create table demo_customers_src (id int primary key, name varchar(50), region varchar(10))`.execute(t.dialect.db);
    await sql`create table demo_customers (id int, name varchar(50), loaded_for date)`.execute(t.dialect.db);
    await sql`create table ts_marks (prcid bigint, what varchar(100))`.execute(t.dialect.db);
    await sql`insert into demo_customers_src values (1, 'Ada', 'EU'), (2, null, 'EU'), (3, 'Grace', 'US'), (4, 'Linus', 'EU'), (5, null, 'EU')`.execute(t.dialect.db);
    await t.dialect.db.insertInto('dwjob').values({ jobid: 501, mapref: 'DEMO_CUSTOMERS', stflg: 'A', curflg: 'Y' }).execute();
  });
  after(() => t.drop());

  test('the loader registers the flows of DWPRC_FLOWS_DIR by MAPREF and ignores modules without flows', async () => {
    const registry = await loadFlows(FLOWS);
    assert.deepEqual([...registry.keys()].sort(), ['DEMO_CUSTOMERS', 'JS_FLOW', 'TS_DAILY', 'TS_FAILING', 'TS_SLEEPER', 'TS_WAITS']);
    assert.equal(registry.get('DEMO_CUSTOMERS')!.file, path.join(FLOWS, 'demoCustomers.flow.ts'));
  });

  test('two flows for one MAPREF are an error naming both files', async () => {
    const dir = path.resolve(import.meta.dirname, '..', 'fixtures', 'flows-duplicate');
    await assert.rejects(loadFlows(dir), {
      name: 'UserError',
      message: `MAPREF TWICE has two TypeScript flows: ${path.join(dir, 'first.ts')} and ${path.join(dir, 'second.ts')}`,
    });
    await assert.rejects(loadFlows('/nonexistent/flows'), /DWPRC_FLOWS_DIR: cannot read the folder "\/nonexistent\/flows" \(ENOENT\)/);
  });

  test('defineFlow refuses a definition without a MAPREF or run function', () => {
    assert.throws(() => defineFlow({ mapref: ' ', run: () => undefined }), /mapref must be text of 1 to 100 characters/);
    assert.throws(() => defineFlow({ mapref: 'X', run: 'no' as never }), /run must be a function \(flow X\)/);
  });

  test('the example flow: counts as one DWJOBLOG row, row errors as DWJOBERR rows, PC keeping the last error', async () => {
    // A TypeScript flow takes precedence over the DWLOGIC of the same MAPREF.
    await setFlow(t, 'DEMO_CUSTOMERS', dwlogic('DEMO_CUSTOMERS', `  RAISE EXCEPTION 'the DWLOGIC must not run';`));
    const h = harness(t, { flowsDir: FLOWS });
    const request = await claimRequest(t, 'IMMEDIATE', 'DEMO_CUSTOMERS', { param1: 'EU' });
    const outcome = await executeRequest(request, h.context);
    const [run] = await runsOf(t, 'DEMO_CUSTOMERS');
    assert.equal(outcome.status, 'DONE', outcome.result.message);
    assert.deepEqual(outcome.result.counts, { source: 4, target: 2, errors: 2 });
    assert.equal(run!.status, 'PC');
    assert.equal(run!.jobid, 501);
    assert.equal(run!.jobflwid, null);
    assert.equal(run!.msg, 'customer has no name');
    assert.equal(run!.prclog, 'Parameters used: DWT_PARAM1=EU');

    const logs = await t.dialect.db.selectFrom('dwjoblog').selectAll().where('prcid', '=', run!.prcid).execute();
    assert.equal(logs.length, 1);
    assert.deepEqual([logs[0]!.srcrows, logs[0]!.trgrows, logs[0]!.errrows, logs[0]!.mapref, logs[0]!.jobid], [4, 2, 2, 'DEMO_CUSTOMERS', 501]);
    assert.equal(Number(logs[0]!.sessionid), Number(run!.sessionid));
    const errors = await errorsOf(t, run!.prcid);
    assert.deepEqual(errors.map((e) => [e.errtyp, e.errmsg, e.keyvalue, e.joblogid]), [
      ['ERR', 'customer has no name', 'ID=2', logs[0]!.joblogid],
      ['ERR', 'customer has no name', 'ID=5', logs[0]!.joblogid],
    ]);

    const { rows } = await sql<{ id: number; day: string; today: string }>`
      select id, to_char(loaded_for, 'YYYY-MM-DD') as day, to_char(now() at time zone 'UTC', 'YYYY-MM-DD') as today from demo_customers order by id`.execute(t.dialect.db);
    assert.deepEqual(rows.map((r) => r.id), [1, 4]);
    assert.ok(rows.every((r) => r.day === r.today), 'businessDate is today in the business zone');
  });

  test('an IMMEDIATE run\'s businessDate is today in the business zone by the database clock, whichever zone', async () => {
    for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', 'TS_DAILY', { param1: zone }), harness(t, { flowsDir: FLOWS, timeZone: zone }).context);
      assert.equal(outcome.status, 'DONE', outcome.result.message);
      const { rows } = await sql<{ what: string; today: string }>`
        select m.what, to_char(l.strtdt at time zone current_setting('TimeZone') at time zone ${zone}, 'YYYY-MM-DD') as today
          from ts_marks m join dwprclog l on l.prcid = m.prcid where l.prcid = ${outcome.result.prcid as number}`.execute(t.dialect.db);
      assert.deepEqual(rows.map((r) => r.what), [`${zone} ${rows[0]!.today}`]);
    }
  });

  test('an unusable business zone fails the request before anything is written', async () => {
    const { context } = harness(t, { flowsDir: FLOWS });
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', 'TS_DAILY'), { ...context, config: { ...context.config, timeZone: 'Mars/Olympus' } });
    assert.equal(outcome.started, false);
    assert.match(outcome.result.message, /business time zone "Mars\/Olympus" is not usable/);
  });

  test('a flow that throws ends FL: MSG is the error, its counts are kept, the engine writes the ERR row', async () => {
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', 'TS_FAILING'), harness(t, { flowsDir: FLOWS }).context);
    const [run] = await runsOf(t, 'TS_FAILING');
    assert.equal(outcome.status, 'FAILED');
    assert.equal(outcome.started, true);
    assert.equal(run!.status, 'FL');
    assert.equal(run!.msg, 'source file is missing');
    const errors = await errorsOf(t, run!.prcid);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.errmsg, 'source file is missing');
    assert.match(errors[0]!.dberrmsg!, /^Error: source file is missing\n\s+at /);
    const logs = await t.dialect.db.selectFrom('dwjoblog').select(['srcrows', 'trgrows', 'errrows']).where('prcid', '=', run!.prcid).execute();
    assert.deepEqual(logs, [{ srcrows: 10, trgrows: 4, errrows: 0 }]);
  });

  test('a flow that returns after its stop signal fired ends ST; the request is CANCELLED', async () => {
    const h = harness(t, { flowsDir: FLOWS });
    const running = executeRequest(await claimRequest(t, 'IMMEDIATE', 'TS_WAITS'), h.context);
    await waitFor(async () => (await sql<{ n: number }>`select count(*)::int as n from ts_marks where what = 'waiting'`.execute(t.dialect.db)).rows[0]!.n === 1, 'the flow to start waiting');
    h.stop({ kind: 'stop-request', force: false, stopRequestId: 'STOP-42' });
    const outcome = await running;
    const [run] = await runsOf(t, 'TS_WAITS');
    assert.equal(run!.status, 'ST');
    assert.equal(run!.msg, 'Stopped by stop request STOP-42');
    assert.equal(outcome.status, 'CANCELLED');
    assert.equal(outcome.result.message, `TS_WAITS (PRCID ${run!.prcid}) stopped: Stopped by stop request STOP-42`);
  });

  test('a flow that throws its abort reason when stopped ends ST, not FL', async () => {
    // The flow stops its own run (as a shutdown would) after its first statement.
    let h: Harness | undefined;
    const stopOnSecondRow = defineFlow({
      mapref: 'TS_THROWS_ABORT',
      async run(ctx) {
        for (let i = 0; i < 1000; i += 1) {
          ctx.signal.throwIfAborted();
          if (i === 1) h!.stop({ kind: 'shutdown' });
          await sql`select 1`.execute(ctx.db);
        }
      },
    });
    h = harness(t, { flows: new Map([['TS_THROWS_ABORT', { flow: stopOnSecondRow, file: 'inline' }]]) });
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', 'TS_THROWS_ABORT'), h!.context);
    const [run] = await runsOf(t, 'TS_THROWS_ABORT');
    assert.equal(run!.status, 'ST');
    assert.equal(run!.msg, 'Stopped: the worker shut down and its grace period ran out');
    assert.equal(outcome.status, 'CANCELLED');
    assert.deepEqual(await errorsOf(t, run!.prcid), []);
  });

  test('kill cancels the statement a flow is blocked in: ST promptly, MSG names the lease loss', async () => {
    const h = harness(t, { flowsDir: FLOWS });
    const started = Date.now();
    const running = executeRequest(await claimRequest(t, 'IMMEDIATE', 'TS_SLEEPER'), h.context);
    await waitFor(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where state = 'active' and query like 'select pg_sleep(60)%'`.execute(t.dialect.db);
      return rows[0]!.n === 1;
    }, 'the flow to be inside pg_sleep');
    h.kill({ kind: 'lease-lost' });
    const outcome = await running;
    assert.ok(Date.now() - started < 15_000, 'ended long before the 60 s statement would have');
    const [run] = await runsOf(t, 'TS_SLEEPER');
    assert.equal(run!.status, 'ST');
    assert.equal(run!.msg, 'Stopped: the worker could not renew its lease on the request and stopped its own run');
    assert.equal(outcome.status, 'CANCELLED');
  });

  test('the run session dies under the flow: the close is retried on a fresh connection, the row ends FL', async () => {
    const terminates = defineFlow({
      mapref: 'TS_TERMINATED',
      async run({ db }) {
        // As a DBA killing the session (or a network cut) would.
        await sql`select pg_terminate_backend(pg_backend_pid())`.execute(db);
      },
    });
    const h = harness(t, { flows: new Map([['TS_TERMINATED', { flow: terminates, file: 'inline' }]]) });
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', 'TS_TERMINATED'), h.context);
    const [run] = await runsOf(t, 'TS_TERMINATED');
    assert.equal(run!.status, 'FL');
    assert.match(run!.msg!, /terminating connection due to administrator command/);
    assert.equal(outcome.status, 'FAILED');
    assert.equal((await errorsOf(t, run!.prcid)).length, 1);
    // The pool is healthy afterwards.
    assert.equal(await t.dialect.selectValue(sql<number>`1`), 1);
  });
});
