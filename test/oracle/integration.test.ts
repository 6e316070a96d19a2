import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { SchedulerSettings } from '../../src/config.js';
import type { Dialect } from '../../src/db/dialects/dialect.js';
import { appliedVersions, migrate, migrationFiles } from '../../src/db/migrate.js';
import { executeRequest } from '../../src/engine/executeRequest.js';
import { UserError } from '../../src/errors.js';
import { createLogger } from '../../src/observe/logger.js';
import { runDoctor } from '../../src/observe/doctor.js';
import { cancelRequest } from '../../src/queue/cancelRequest.js';
import { completeRequest } from '../../src/queue/completeRequest.js';
import { LEASE_EXPIRED } from '../../src/queue/abandonedRun.js';
import { reapExpiredLeases } from '../../src/queue/reapExpiredLeases.js';
import { linkDependency } from '../../src/scheduler/linkDependency.js';
import { listSchedules } from '../../src/scheduler/listSchedules.js';
import { saveSchedule, type ScheduleInput } from '../../src/scheduler/saveSchedule.js';
import { setScheduleEnabled } from '../../src/scheduler/setScheduleEnabled.js';
import { schedulerTick } from '../../src/scheduler/tick.js';
import { openOracleTestDatabase, oracleSkipReason, type OracleTestDatabase } from '../support/database.js';
import { claimRequest, errorsOf, harness, runsOf, setFlow } from '../support/engine.js';
import { insertRequests, type RowSpec } from '../support/requests.js';
import { insertSchedule, scheduleRow } from '../support/schedules.js';
import { testConfig } from '../support/testConfig.js';
import { waitFor } from '../support/waitFor.js';
import { CREATE_TARGET_BLOCK, emptyBody, failingBody, loadBody, oracleDwlogic, sleepingBody, TARGET } from './integrationFlows.js';

/**
 * The representative integration set on a real Oracle (DWPRC_TEST_ORACLE_URL: a dedicated, empty
 * schema; see docs-fragment-oracle-tests.md). Without the variable every test here is reported
 * SKIPPED with the reason, never passed. Nothing in this file runs on the development machines.
 */
const skip = oracleSkipReason();
const log = createLogger({ level: 'silent', destination: process.stderr, pretty: false });
const SETTINGS: SchedulerSettings = { tickMs: 1000, misfire: 'coalesce', catchupMax: 10, misfireThresholdMs: 60_000 };
/** One row per INSERT: multi-row VALUES exists only from 23ai. */
async function insertEach(dialect: Dialect, rows: readonly RowSpec[]): Promise<void> {
  for (const [i, row] of rows.entries()) await insertRequests(dialect, [{ at: i, ...row }]);
}

async function statusOf(dialect: Dialect, requestId: string): Promise<string | undefined> {
  return (await dialect.db.selectFrom('dwprcreq').select('status').where('requestId', '=', requestId).executeTakeFirst())?.status;
}

/** Claims until a conflict (the one-run index refusing a second CLAIMED row of a MAPREF) stops recurring. */
async function claim(dialect: Dialect, worker: string, limit: number) {
  for (;;) {
    try {
      return await dialect.claimRequests(worker, limit, 30_000);
    } catch (error) {
      if (dialect.classifyError(error) !== 'conflict') throw error;
    }
  }
}

describe('Oracle integration (DWPRC_TEST_ORACLE_URL)', () => {
  let t: OracleTestDatabase;
  before(async () => {
    if (skip) return;
    t = await openOracleTestDatabase();
    await sql.raw(CREATE_TARGET_BLOCK).execute(t.dialect.db);
  });
  after(async () => {
    if (skip) return;
    await t.close();
  });
  beforeEach(async () => {
    if (skip) return;
    await t.clear();
    await t.clear([TARGET]);
  });

  test('migrations: every sql/oracle file re-applies over an existing schema, two replicas at once converge, then nothing is left; doctor is healthy', { skip }, async () => {
    const versions = (await migrationFiles('oracle', 'DW')).map((f) => f.version);
    await sql`DELETE FROM DWPRCVER`.execute(t.dialect.db);
    const replica = await t.replica();
    await Promise.all([migrate(t.dialect, 'DW'), migrate(replica, 'DW')]);
    assert.deepEqual([...(await appliedVersions(t.dialect))].sort((a, b) => a - b), versions);
    assert.deepEqual((await migrate(t.dialect, 'DW')).applied, [], 'the second run applies nothing');
    const report = await runDoctor(t.dialect, testConfig(t.url));
    assert.ok(report.healthy, JSON.stringify(report.checks));
    assert.match(report.serverVersion, /Oracle/);
  });

  test('claim and complete: queue order up to the limit, CLAIMED with a UTC lease, DONE guarded by CLAIMED_BY; a write outside a transaction is committed', { skip }, async () => {
    await insertEach(t.dialect, [{ id: 'a', mapref: 'A' }, { id: 'b', mapref: 'B' }, { id: 'c', mapref: 'C' }]);
    const rows = await claim(t.dialect, 'w1', 2);
    assert.deepEqual(rows.map((r) => [r.requestId, r.attempts]).sort(), [['a', 1], ['b', 1]]);
    const a = await t.dialect.db.selectFrom('dwprcreq').selectAll().where('requestId', '=', 'a').executeTakeFirstOrThrow();
    assert.deepEqual([a.status, a.claimedBy, a.attempts], ['CLAIMED', 'w1', 1]);
    const leaseLeft = a.leaseExpiresAt!.getTime() - Date.now();
    assert.ok(leaseLeft > 25_000 && leaseLeft <= 31_000, `lease ${leaseLeft} ms (the process runs in UTC)`);

    assert.equal(await completeRequest(t.dialect, 'a', 'someone-else', 'DONE', { status: 'DONE', message: 'no' }), false, 'fenced');
    assert.equal(await completeRequest(t.dialect, 'a', 'w1', 'DONE', { status: 'DONE', message: 'ok' }), true);
    const replica = await t.replica();
    assert.equal(await statusOf(replica, 'a'), 'DONE', 'seen from another session: committed');

    await cancelRequest(t.dialect, 'c');
    assert.equal(await statusOf(replica, 'c'), 'CANCELLED', 'a statement outside a transaction commits on its own');
  });

  test('one IMMEDIATE/HISTORY per MAPREF, fleet-wide: two replicas racing never run a MAPREF twice or claim a row twice', { skip }, async () => {
    await insertEach(
      t.dialect,
      Array.from({ length: 24 }, (_, i) => ({ id: `r${String(i).padStart(2, '0')}`, mapref: `M${i % 4}`, type: i % 5 === 0 ? 'HISTORY' : 'IMMEDIATE' })),
    );
    const replica = await t.replica();
    const seen = new Set<string>();
    for (let round = 0; seen.size < 24; round++) {
      assert.ok(round < 40, `not drained after 40 rounds (${seen.size} claimed)`);
      const [x, y] = await Promise.all([claim(t.dialect, 'wx', 3), claim(replica, 'wy', 3)]);
      const running = new Set<string>();
      for (const r of [...x, ...y]) {
        assert.ok(!seen.has(r.requestId), `${r.requestId} claimed twice`);
        assert.ok(!running.has(r.mapref!), `${r.mapref} running twice`);
        seen.add(r.requestId);
        running.add(r.mapref!);
      }
      await t.dialect.db.updateTable('dwprcreq').set({ status: 'DONE' }).where('status', '=', 'CLAIMED').execute();
    }
  });

  test('reaper: an expired lease goes back to NEW with backoff and its IP run ends FL; two reapers act once', { skip }, async () => {
    await insertEach(t.dialect, [{ id: 'lost', mapref: 'LOST' }]);
    await t.dialect.db
      .updateTable('dwprcreq')
      .set({ status: 'CLAIMED', claimedBy: 'dead:1', attempts: 1, prcid: 41, leaseExpiresAt: t.dialect.utcNowPlus(-1000) })
      .where('requestId', '=', 'lost')
      .execute();
    await t.dialect.db.insertInto('dwprclog').values({ prcid: 41, mapref: 'LOST', status: 'IP', strtdt: t.dialect.localNow() }).execute();
    const replica = await t.replica();
    const policy = { retryLimit: 3, retryBaseMs: 10_000 };
    const [x, y] = await Promise.all([reapExpiredLeases(t.dialect, policy), reapExpiredLeases(replica, policy)]);
    assert.deepEqual([...x, ...y].map((r) => [r.requestId, r.outcome, r.prcid]), [['lost', 'NEW', 41]]);
    const row = await t.dialect.db.selectFrom('dwprcreq').selectAll().where('requestId', '=', 'lost').executeTakeFirstOrThrow();
    assert.deepEqual([row.status, row.claimedBy], ['NEW', null]);
    const delay = row.runAfter!.getTime() - Date.now();
    assert.ok(delay > 5_000 && delay < 15_000, `retry in ${delay} ms`);
    assert.deepEqual(await t.dialect.db.selectFrom('dwprclog').select(['status', 'msg']).where('prcid', '=', 41).executeTakeFirstOrThrow(), { status: 'FL', msg: LEASE_EXPIRED });
  });

  test('a DWLOGIC anonymous block: its IP row on its own session, DWT_PARAM1 read back, PKGDWPRC.CREATE_JOB_LOG counts, PC', { skip }, async () => {
    const mapref = 'ORA_DL';
    const jobflwid = await setFlow(t, mapref, oracleDwlogic(mapref, loadBody(mapref)));
    const request = await claimRequest(t, 'IMMEDIATE', mapref, { param1: '05-Mar-2027' });
    const outcome = await executeRequest(request, harness(t).context);
    const [run] = await runsOf(t, mapref);
    assert.ok(run);
    assert.equal(outcome.status, 'DONE', JSON.stringify(outcome));
    assert.deepEqual([run.status, run.jobflwid, run.param1, run.prclog], ['PC', jobflwid, '05-Mar-2027', 'Parameters used: DWT_PARAM1=05-Mar-2027']);
    assert.ok(run.strtdt && run.enddt && run.enddt >= run.strtdt);
    const logs = await t.dialect.db.selectFrom('dwjoblog').selectAll().where('prcid', '=', run.prcid).execute();
    assert.deepEqual(logs.map((l) => [l.srcrows, l.trgrows, l.errrows, Number(l.sessionid)]), [[5, 3, 2, Number(run.sessionid)]]);
    const loaded = await sql<{ day: string }>`SELECT DAY AS "day" FROM ${sql.raw(TARGET)} WHERE PRCID = ${run.prcid}`.execute(t.dialect.db);
    assert.deepEqual(loaded.rows, [{ day: '05-Mar-2027' }]);
  });

  test('a DWLOGIC block that raises ends FL with a DWJOBERR row; a forced stop breaks a running block (connection.break) and ends ST', { skip }, async () => {
    const failing = 'ORA_FAIL';
    await setFlow(t, failing, oracleDwlogic(failing, failingBody));
    const failed = await executeRequest(await claimRequest(t, 'IMMEDIATE', failing, { param1: 'X1' }), harness(t).context);
    const [run] = await runsOf(t, failing);
    assert.equal(failed.status, 'FAILED');
    assert.equal(run!.status, 'FL');
    assert.match(run!.msg ?? '', /ORA-20001: no source file for X1/);
    assert.deepEqual((await errorsOf(t, run!.prcid)).map((e) => e.errtyp), ['ERR']);

    // DBMS_SESSION.SLEEP: Oracle 18c and later (Oracle Database Free is 23ai).
    const sleeper = 'ORA_SLEEP';
    await setFlow(t, sleeper, oracleDwlogic(sleeper, sleepingBody));
    const h = harness(t);
    const started = Date.now();
    const outcome = executeRequest(await claimRequest(t, 'IMMEDIATE', sleeper), h.context);
    await waitFor(async () => (await runsOf(t, sleeper)).some((r) => r.status === 'IP'), 'the IP row');
    h.kill();
    assert.equal((await outcome).status, 'CANCELLED');
    assert.ok(Date.now() - started < 30_000, 'the block was interrupted, not waited for');
    assert.equal((await runsOf(t, sleeper))[0]!.status, 'ST');
  });

  test('HISTORY: one run per day with PARAM1 as DD-Mon-YYYY, progress kept on the request', { skip }, async () => {
    const mapref = 'ORA_HIST';
    await setFlow(t, mapref, oracleDwlogic(mapref, loadBody(mapref)));
    const request = await claimRequest(t, 'HISTORY', mapref, { start_date: '2027-03-01', end_date: '2027-03-03' });
    const outcome = await executeRequest(request, harness(t).context);
    assert.equal(outcome.status, 'DONE', JSON.stringify(outcome));
    assert.deepEqual((await runsOf(t, mapref)).map((r) => [r.param1, r.status]), [['01-Mar-2027', 'PC'], ['02-Mar-2027', 'PC'], ['03-Mar-2027', 'PC']]);
    const { progress } = await t.dialect.db.selectFrom('dwprcreq').select('progress').where('requestId', '=', request.requestId).executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(progress!), { from: '2027-03-01', to: '2027-03-03', done: '2027-03-03' });
  });

  test('scheduler tick: a due occurrence fires exactly once under two replicas and NXT_RUN_DT advances', { skip }, async () => {
    const id = await insertSchedule(t.dialect, { mapref: 'ORA_TICK', frqcd: 'DL', frqhh: '00', frqmi: '00', strtdt: DateTime.utc().minus({ days: 7 }).toISODate()! });
    const first = await schedulerTick({ dialect: t.dialect, settings: SETTINGS, zone: 'UTC', log });
    assert.equal(first.initialised, 1);
    const today = DateTime.utc().startOf('day');
    await t.dialect.db.updateTable('dwjobsch').set({ nxtRunDt: today.toJSDate() }).where('jobschid', '=', id).execute();
    const replica = await t.replica();
    const [x, y] = await Promise.all([
      schedulerTick({ dialect: t.dialect, settings: SETTINGS, zone: 'UTC', log }),
      schedulerTick({ dialect: replica, settings: SETTINGS, zone: 'UTC', log }),
    ]);
    const firing = `S${id}-${today.toFormat('yyyyMMdd')}0000`;
    assert.deepEqual([...x.fired, ...y.fired], [firing]);
    const queued = await t.dialect.db.selectFrom('dwprcreq').select(['requestId', 'requestType', 'status']).where('mapref', '=', 'ORA_TICK').execute();
    assert.deepEqual(queued, [{ requestId: firing, requestType: 'IMMEDIATE', status: 'NEW' }]);
    const row = await scheduleRow(t.dialect, id);
    assert.deepEqual([row.nxtRunDt, row.lstRunDt], [today.plus({ days: 1 }).toJSDate(), today.toJSDate()]);
  });

  test('DBMS_ALERT wake-ups (where this schema may execute DBMS_ALERT): a row another session inserts and commits wakes the listener; a STOP mark signals', { skip }, async (context) => {
    const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS "n" FROM ALL_TRIGGERS WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') AND TRIGGER_NAME = 'DWPRCREQ_ALERT'`.execute(t.dialect.db);
    if (Number(rows[0]!.n) === 0) {
      context.skip('no trigger DWPRCREQ_ALERT: this schema may not execute DBMS_ALERT (see sql/oracle/003_queue_alert.sql)');
      return;
    }
    const listening = await t.replica({ alerts: true });
    const woken: string[] = [];
    const listener = await listening.listen((channel) => woken.push(channel));
    try {
      // listen() returns once both alerts are registered: a signal committed from now on is kept for it.
      await insertEach(t.dialect, [{ id: 'wake-1', mapref: 'ORA_WAKE' }]);
      await waitFor(() => woken.includes('request'), 'a request wake-up', 10_000);
      await t.dialect.db.transaction().execute((trx) => listening.notify(trx, 'stop'));
      await waitFor(() => woken.includes('stop'), 'a stop wake-up', 10_000);
    } finally {
      await listener.close();
    }
  });

  test('schedule operations through PKGDWPRC: save (same id when unchanged), enable, depend, list; refusals carry the package message', { skip }, async () => {
    for (const mapref of ['ORA_P', 'ORA_C']) await setFlow(t, mapref, oracleDwlogic(mapref, emptyBody));
    const start = DateTime.utc().plus({ days: 30 }).toISODate()!;
    const input = (mapref: string, over: Partial<ScheduleInput> = {}): ScheduleInput => ({
      mapref, frqcd: 'WK', frqdd: 'MON', frqhh: '09', frqmi: '30', strtdt: start, enddt: null, ...over,
    });
    const parent = await saveSchedule(t.dialect, input('ORA_P'), 'UTC');
    assert.equal(await saveSchedule(t.dialect, input('ORA_P'), 'UTC'), parent, 'unchanged: the same row');
    await saveSchedule(t.dialect, input('ORA_C', { frqcd: 'DL', frqdd: null }), 'UTC');
    await setScheduleEnabled(t.dialect, 'ORA_P', true, 'UTC');
    await linkDependency(t.dialect, 'ORA_C', 'ORA_P', 'UTC');
    const { schedules } = await listSchedules(t.dialect, 'UTC');
    const byMapref = Object.fromEntries(schedules.map((s) => [s.mapref, s]));
    assert.deepEqual([byMapref.ORA_P!.jobschid, byMapref.ORA_P!.enabled, byMapref.ORA_P!.strtdt], [parent, true, start]);
    assert.ok(byMapref.ORA_P!.nxtRunDt, 'enabled: its first occurrence is written');
    assert.equal(byMapref.ORA_C!.parent, 'ORA_P');

    const refusal = await saveSchedule(t.dialect, input('ORA_P', { frqcd: 'XX' }), 'UTC').then(() => assert.fail('expected a refusal'), (e: unknown) => e);
    assert.ok(refusal instanceof UserError, String(refusal));
    assert.equal(refusal.message, 'Invalid frequency code (Valid: ID,DL,WK,FN,MN,HY,YR).');
    await assert.rejects(linkDependency(t.dialect, 'ORA_P', 'ORA_C', 'UTC'), UserError, 'a cycle is refused');
  });
});
