import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { executeRequest } from '../../src/engine/executeRequest.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { claimRequest, dwlogic, errorsOf, harness, runsOf, setFlow } from '../support/engine.js';
import { waitFor } from '../support/waitFor.js';

async function sleepers(t: TestDatabase): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
     where pid <> pg_backend_pid() and state = 'active' and query like '%pg_sleep(60)%'`.execute(t.dialect.db);
  return rows[0]!.n;
}

describe('engine: stopping an IMMEDIATE DWLOGIC run', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());

  test('force stop cancels a pg_sleep(60) block: ST promptly, MSG names the stop, the session is freed', async () => {
    const mapref = 'STOP_FORCE';
    await setFlow(t, mapref, dwlogic(mapref, '  PERFORM pg_sleep(60);'));
    const h = harness(t);
    const request = await claimRequest(t, 'IMMEDIATE', mapref);
    const running = executeRequest(request, h.context);
    await waitFor(async () => (await sleepers(t)) === 1, 'the block to be sleeping');
    // While it runs, a DBA sees whose session it is.
    const [ip] = await runsOf(t, mapref);
    const { rows: tagged } = await sql<{ a: string }>`select application_name as a from pg_stat_activity where pid = ${ip!.sessionid}`.execute(t.dialect.db);
    assert.deepEqual(tagged, [{ a: `dwprc:${mapref}:${ip!.prcid}` }]);

    const killedAt = Date.now();
    h.kill({ kind: 'stop-request', force: true, stopRequestId: 'STOP-7' });
    const outcome = await running;
    assert.ok(Date.now() - killedAt < 5_000, 'the run ended promptly');

    const [run] = await runsOf(t, mapref);
    assert.equal(run!.status, 'ST');
    assert.equal(run!.msg, 'Stopped by stop request STOP-7 (force)');
    assert.ok(run!.enddt);
    assert.deepEqual(await errorsOf(t, run!.prcid), [], 'a stop is not an error');
    assert.deepEqual(outcome, {
      status: 'CANCELLED',
      started: true,
      result: { status: 'CANCELLED', message: `${mapref} (PRCID ${run!.prcid}) stopped: Stopped by stop request STOP-7 (force)`, prcid: run!.prcid, runStatus: 'ST' },
    });
    assert.equal(await sleepers(t), 0, 'no backend is left running the statement');
    // The pool may hand this very query the freed connection: then it is "active" running it.
    const { rows: freed } = await sql<{ self: boolean; s: string; a: string }>`
      select pid = pg_backend_pid() as self, state as s, application_name as a from pg_stat_activity where pid = ${run!.sessionid}`.execute(t.dialect.db);
    assert.equal(freed.length, 1);
    assert.ok(freed[0]!.self || freed[0]!.s === 'idle', `the session is free (${freed[0]!.s})`);
    assert.equal(freed[0]!.a, 'dwprc', 'and untagged');
  });

  test('a graceful stop leaves a running block to finish: its result stands (PC)', async () => {
    const mapref = 'STOP_GRACEFUL';
    await sql`create table graceful_done (prcid bigint)`.execute(t.dialect.db);
    await setFlow(t, mapref, dwlogic(mapref, '  PERFORM pg_advisory_lock(77); PERFORM pg_advisory_unlock(77);\n  INSERT INTO graceful_done VALUES (v_prcid);'));
    await t.dialect.db.connection().execute(async (locker) => {
      await sql`select pg_advisory_lock(77)`.execute(locker);
      const h = harness(t);
      const running = executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), h.context);
      await waitFor(async () => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity a join dwprclog l on l.sessionid = a.pid
           where l.mapref = ${mapref} and l.status = 'IP' and a.wait_event_type = 'Lock'`.execute(t.dialect.db);
        return rows[0]!.n === 1;
      }, 'the block to wait for the lock');
      h.stop({ kind: 'stop-request', force: false, stopRequestId: 'STOP-8' });
      await sql`select pg_advisory_unlock(77)`.execute(locker);
      const outcome = await running;
      const [run] = await runsOf(t, mapref);
      assert.equal(run!.status, 'PC');
      assert.equal(outcome.status, 'DONE');
      assert.match(outcome.result.message, /completed; the stop arrived while its DWLOGIC block ran, which is left to finish$/);
      const { rows } = await sql<{ prcid: number }>`select prcid from graceful_done`.execute(t.dialect.db);
      assert.deepEqual(rows, [{ prcid: run!.prcid }]);
    });
  });

  test('a stop that arrives before the run starts: CANCELLED, nothing written', async () => {
    const mapref = 'STOP_EARLY';
    await setFlow(t, mapref, dwlogic(mapref, '  NULL;'));
    const h = harness(t);
    h.stop({ kind: 'stop-request', force: false, stopRequestId: 'STOP-9' });
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref), h.context);
    assert.deepEqual(outcome, { status: 'CANCELLED', started: false, result: { status: 'CANCELLED', message: `${mapref} not started: Stopped by stop request STOP-9` } });
    assert.deepEqual(await runsOf(t, mapref), []);
  });
});
