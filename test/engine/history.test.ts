import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { executeRequest } from '../../src/engine/executeRequest.js';
import { toDwDay } from '../../src/engine/historyDays.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { claimRequest, dwlogic, harness, reclaim, runsOf, setFlow } from '../support/engine.js';
import { waitFor } from '../support/waitFor.js';

/** A daily load that records the day it was given; it fails on `failOn` (DD-Mon-YYYY) when set. */
function dailyLoad(mapref: string, failOn: string | null = null): string {
  return dwlogic(
    mapref,
    `  ${failOn ? `IF v_param1 = '${failOn}' THEN RAISE EXCEPTION 'no source file for %', v_param1; END IF;` : ''}
  INSERT INTO hist_target VALUES ('${mapref}', v_prcid, v_param1);`,
  );
}

async function loadedDays(t: TestDatabase, mapref: string): Promise<string[]> {
  const { rows } = await sql<{ day: string }>`select day from hist_target where mapref = ${mapref} order by prcid`.execute(t.dialect.db);
  return rows.map((r) => r.day);
}

describe('engine: HISTORY requests', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await sql`create table hist_target (mapref varchar(100), prcid bigint, day varchar(20))`.execute(t.dialect.db);
  });
  after(() => t.drop());

  test('5 days with a failing day 3: days 1–2 PC, 3 FL, FAILED naming the day; the retry resumes at day 3', async () => {
    const mapref = 'HIST_RESUME';
    await setFlow(t, mapref, dailyLoad(mapref, '03-Mar-2027'));
    const request = await claimRequest(t, 'HISTORY', mapref, { start_date: '2027-03-01', end_date: '2027-03-05' });
    const first = await executeRequest(request, harness(t).context);

    let runs = await runsOf(t, mapref);
    assert.deepEqual(runs.map((r) => [r.param1, r.status]), [
      ['01-Mar-2027', 'PC'],
      ['02-Mar-2027', 'PC'],
      ['03-Mar-2027', 'FL'],
    ]);
    assert.ok(runs.every((r) => r.prclog === `Parameters used: DWT_PARAM1=${r.param1}`));
    assert.equal(first.status, 'FAILED');
    assert.equal(first.started, true);
    assert.equal(
      first.result.message,
      `History of ${mapref} failed on 2027-03-03 (PRCID ${runs[2]!.prcid}): no source file for 03-Mar-2027; 2 of 5 days complete; a retry resumes at 2027-03-03`,
    );
    assert.deepEqual(
      { prcids: first.result.prcids, failedDay: first.result.failedDay, completed: first.result.completed, days: first.result.days },
      { prcids: runs.map((r) => r.prcid), failedDay: '2027-03-03', completed: 2, days: 5 },
    );

    // The flow is fixed; the worker hands the same request to the engine again.
    await setFlow(t, mapref, dailyLoad(mapref));
    const second = await executeRequest(await reclaim(t, request), harness(t).context);
    runs = await runsOf(t, mapref);
    assert.deepEqual(runs.map((r) => [r.param1, r.status]), [
      ['01-Mar-2027', 'PC'],
      ['02-Mar-2027', 'PC'],
      ['03-Mar-2027', 'FL'],
      ['03-Mar-2027', 'PC'],
      ['04-Mar-2027', 'PC'],
      ['05-Mar-2027', 'PC'],
    ]);
    assert.deepEqual(await loadedDays(t, mapref), ['01-Mar-2027', '02-Mar-2027', '03-Mar-2027', '04-Mar-2027', '05-Mar-2027']);
    assert.equal(second.status, 'DONE');
    assert.equal(second.result.message, `History of ${mapref} from 2027-03-01 to 2027-03-05 complete: 5 days (3 run in this attempt)`);
    assert.deepEqual(second.result.prcids, runs.slice(3).map((r) => r.prcid));

    // Once complete, a further attempt runs nothing.
    const third = await executeRequest(await reclaim(t, request), harness(t).context);
    assert.equal(third.status, 'DONE');
    assert.equal(third.started, false);
    assert.equal((await runsOf(t, mapref)).length, 6);
  });

  test('each day gets PARAM1 DD-Mon-YYYY and a TypeScript flow its ISO businessDate', async () => {
    await sql`create table ts_marks (prcid bigint, what varchar(100))`.execute(t.dialect.db);
    const { loadFlows } = await import('../../src/engine/loadFlows.js');
    const flows = await loadFlows(new URL('../fixtures/flows', import.meta.url).pathname);
    const outcome = await executeRequest(
      await claimRequest(t, 'HISTORY', 'TS_DAILY', { start_date: '2027-12-30', end_date: '2028-01-02' }),
      harness(t, { flows }).context,
    );
    assert.equal(outcome.status, 'DONE', outcome.result.message);
    const { rows } = await sql<{ what: string }>`select what from ts_marks order by prcid`.execute(t.dialect.db);
    assert.deepEqual(rows.map((r) => r.what), ['30-Dec-2027 2027-12-30', '31-Dec-2027 2027-12-31', '01-Jan-2028 2028-01-01', '02-Jan-2028 2028-01-02']);
  });

  test('without start_date the range starts at DWPARAMS HIST_LOAD DWT_PARAM1; without end_date it ends yesterday', async () => {
    const mapref = 'HIST_DEFAULTS';
    await setFlow(t, mapref, dailyLoad(mapref));
    const now = await t.dialect.selectValue(t.dialect.utcNow());
    const today = DateTime.fromJSDate(now, { zone: 'utc' });
    const start = today.minus({ days: 3 }).toISODate()!;
    // Upper case, as Oracle's default date format writes it.
    await t.dialect.db.insertInto('dwparams').values({ prtyp: 'HIST_LOAD', prcd: 'DWT_PARAM1', prval: toDwDay(start).toUpperCase() }).execute();
    try {
      const outcome = await executeRequest(await claimRequest(t, 'HISTORY', mapref), harness(t).context);
      assert.equal(outcome.status, 'DONE', outcome.result.message);
      const expected = [3, 2, 1].map((d) => toDwDay(today.minus({ days: d }).toISODate()!));
      assert.deepEqual(await loadedDays(t, mapref), expected);
    } finally {
      await t.dialect.db.deleteFrom('dwparams').execute();
    }
    const missing = await executeRequest(await claimRequest(t, 'HISTORY', mapref), harness(t).context);
    assert.equal(missing.status, 'FAILED');
    assert.equal(missing.retryable, false);
    assert.match(missing.result.message, /^HISTORY of HIST_DEFAULTS has no start_date and DWPARAMS \(PRTYP HIST_LOAD, PRCD DWT_PARAM1\) holds no day as DD-Mon-YYYY \(no such row\)$/);
  });

  test('a graceful stop between days: the running day completes, the rest do not run, CANCELLED', async () => {
    const mapref = 'HIST_GRACEFUL';
    // Day 2 waits for advisory lock 4242, which the test holds: the stop arrives while it runs.
    await setFlow(
      t,
      mapref,
      dwlogic(
        mapref,
        `  IF v_param1 = '02-Apr-2027' THEN PERFORM pg_advisory_lock(4242); PERFORM pg_advisory_unlock(4242); END IF;
  INSERT INTO hist_target VALUES ('${mapref}', v_prcid, v_param1);`,
      ),
    );
    await t.dialect.db.connection().execute(async (locker) => {
      await sql`select pg_advisory_lock(4242)`.execute(locker);
      const h = harness(t);
      const running = executeRequest(await claimRequest(t, 'HISTORY', mapref, { start_date: '2027-04-01', end_date: '2027-04-05' }), h.context);
      await waitFor(async () => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity a join dwprclog l on l.sessionid = a.pid
           where l.mapref = ${mapref} and l.param1 = '02-Apr-2027' and l.status = 'IP' and a.wait_event_type = 'Lock'`.execute(t.dialect.db);
        return rows[0]!.n === 1;
      }, 'day 2 to wait for the lock');
      h.stop({ kind: 'stop-request', force: false, stopRequestId: 'STOP-HG' });
      await sql`select pg_advisory_unlock(4242)`.execute(locker);
      const outcome = await running;
      assert.equal(outcome.status, 'CANCELLED');
      assert.equal(outcome.started, true);
      assert.equal(outcome.result.message, `History of ${mapref} stopped before 2027-04-03: Stopped by stop request STOP-HG; 2 of 5 days complete`);
    });
    assert.deepEqual((await runsOf(t, mapref)).map((r) => [r.param1, r.status]), [
      ['01-Apr-2027', 'PC'],
      ['02-Apr-2027', 'PC'],
    ]);
  });

  test('a forced stop cancels the running day: that day ST, the request CANCELLED naming the stop', async () => {
    const mapref = 'HIST_FORCED';
    await setFlow(
      t,
      mapref,
      dwlogic(mapref, `  IF v_param1 = '02-May-2027' THEN PERFORM pg_sleep(60); END IF;
  INSERT INTO hist_target VALUES ('${mapref}', v_prcid, v_param1);`),
    );
    const h = harness(t);
    const running = executeRequest(await claimRequest(t, 'HISTORY', mapref, { start_date: '2027-05-01', end_date: '2027-05-03' }), h.context);
    await waitFor(async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity a join dwprclog l on l.sessionid = a.pid
         where l.mapref = ${mapref} and l.status = 'IP' and a.wait_event = 'PgSleep'`.execute(t.dialect.db);
      return rows[0]!.n === 1;
    }, 'day 2 to sleep');
    h.kill({ kind: 'stop-request', force: true, stopRequestId: 'STOP-HF' });
    const outcome = await running;
    const runs = await runsOf(t, mapref);
    assert.deepEqual(runs.map((r) => [r.param1, r.status, r.msg]), [
      ['01-May-2027', 'PC', null],
      ['02-May-2027', 'ST', 'Stopped by stop request STOP-HF (force)'],
    ]);
    assert.equal(outcome.status, 'CANCELLED');
    assert.equal(outcome.result.stoppedDay, '2027-05-02');
  });
});
