import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { executeRequest } from '../../src/engine/executeRequest.js';
import { retryRequest } from '../../src/queue/cancelRequest.js';
import { parseRequest } from '../../src/queue/parseRequest.js';
import { reapExpiredLeases } from '../../src/queue/reapExpiredLeases.js';
import { releaseRequest } from '../../src/queue/releaseRequest.js';
import type { HistoryRequest, ImmediateRequest } from '../../src/queue/request.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { CLAIMANT, claimRequest, dwlogic, harness, runsOf, setFlow } from '../support/engine.js';

/**
 * A worker lost after its run completed but before it recorded the request's outcome (SIGKILL
 * between closing DWPRCLOG and completing DWPRCREQ): the chaos test saw such requests run twice,
 * each run PC. The reaper now leaves the PRCID on the request and the next claim records it DONE
 * instead of executing the flow again.
 */
describe('a run whose ending its worker never recorded', () => {
  let t: TestDatabase;
  const policy = { retryLimit: 2, retryBaseMs: 60_000 };
  before(async () => {
    t = await createTestDatabase();
    await sql`create table ur_target (prcid bigint, day varchar(250))`.execute(t.dialect.db);
  });
  after(() => t.drop());
  beforeEach(async () => {
    await sql`truncate dwprcreq, dwprclog, dwjoblog, dwjoberr, ur_target`.execute(t.dialect.db);
  });

  const loadingBlock = (mapref: string, failOn?: string) =>
    dwlogic(
      mapref,
      `  ${failOn ? `IF v_param1 = '${failOn}' THEN RAISE EXCEPTION 'bad day %', v_param1; END IF;` : ''}
  INSERT INTO ur_target VALUES (v_prcid, v_param1);
  CALL pkgdwprc.create_job_log(v_joblogid, v_sessionid, v_prcid, localtimestamp(0)::timestamp, '${mapref}', v_jobid, 1, 1, 0);`,
    );

  /** The worker dies now: its lease runs out and a reaper takes the request back. */
  async function loseWorker(requestId: string) {
    await t.dialect.db.updateTable('dwprcreq').set({ leaseExpiresAt: t.dialect.utcNowPlus(-1000) }).where('requestId', '=', requestId).execute();
    const reaped = await reapExpiredLeases(t.dialect, policy);
    assert.equal(reaped.length, 1);
    return reaped[0]!;
  }

  /** The next worker's claim, exactly as a worker makes it. */
  async function claimAgain<R extends ImmediateRequest | HistoryRequest>(): Promise<R> {
    const [row] = await t.dialect.claimRequests('next-host:2:slot0', 1, 60_000);
    assert.ok(row, 'claimable at once: nothing will run, so there is no backoff');
    const parsed = parseRequest(row);
    assert.ok(parsed.ok);
    return parsed.request as R;
  }

  const nextContext = () => ({ ...harness(t).context, claimedBy: 'next-host:2:slot0' });

  test('IMMEDIATE that ended PC: requeued with its PRCID whatever its attempts; the next claim records DONE without running', async () => {
    await setFlow(t, 'UR_PC', loadingBlock('UR_PC'));
    const request = await claimRequest(t, 'IMMEDIATE', 'UR_PC', { param1: 'x' });
    await t.dialect.db.updateTable('dwprcreq').set({ attempts: policy.retryLimit }).where('requestId', '=', request.requestId).execute();
    const first = await executeRequest(request, harness(t).context);
    assert.equal(first.status, 'DONE');
    const [run] = await runsOf(t, 'UR_PC');

    const reaped = await loseWorker(request.requestId);
    assert.deepEqual([reaped.outcome, reaped.prcid, reaped.unrecorded, reaped.runSession], ['NEW', run!.prcid, true, null]);
    const row = await t.dialect.db.selectFrom('dwprcreq').select(['status', 'prcid', 'runAfter', 'resultPayload']).where('requestId', '=', request.requestId).executeTakeFirstOrThrow();
    assert.deepEqual([row.status, row.prcid, row.runAfter], ['NEW', run!.prcid, null]);
    assert.match(JSON.parse(row.resultPayload!).message, new RegExp(`after its run ${run!.prcid} had completed; the next claim records it without running again`));

    const again = await claimAgain<ImmediateRequest>();
    assert.equal(again.unrecordedPrcid, run!.prcid);
    const outcome = await executeRequest(again, nextContext());
    assert.deepEqual(outcome, {
      status: 'DONE',
      started: true,
      result: {
        status: 'DONE',
        message: `UR_PC (PRCID ${run!.prcid}) completed in an earlier attempt whose worker was lost before recording it; not run again`,
        prcid: run!.prcid,
        runStatus: 'PC',
        counts: { source: 1, target: 1, errors: 0 },
      },
    });
    assert.equal((await runsOf(t, 'UR_PC')).length, 1, 'the flow ran once');
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ur_target`.execute(t.dialect.db);
    assert.equal(rows[0]!.n, 1);
  });

  test('IMMEDIATE that ended FL (closed by its worker, e.g. one that fenced itself): retried like any lost lease, and runs again', async () => {
    await setFlow(t, 'UR_FL', loadingBlock('UR_FL', 'boom'));
    const request = await claimRequest(t, 'IMMEDIATE', 'UR_FL', { param1: 'boom' });
    assert.equal((await executeRequest(request, harness(t).context)).status, 'FAILED');
    const reaped = await loseWorker(request.requestId);
    assert.deepEqual([reaped.outcome, reaped.unrecorded, reaped.runSession], ['NEW', false, null]);
    const row = await t.dialect.db.selectFrom('dwprcreq').select(['prcid', 'runAfter']).where('requestId', '=', request.requestId).executeTakeFirstOrThrow();
    assert.equal(row.prcid, null);
    assert.ok(row.runAfter!.getTime() > Date.now(), 'with backoff');
    await t.dialect.db.updateTable('dwprcreq').set({ runAfter: null }).where('requestId', '=', request.requestId).execute();
    const again = await claimAgain<ImmediateRequest>();
    assert.equal(again.unrecordedPrcid, null);
    assert.equal((await executeRequest(again, nextContext())).status, 'FAILED');
    assert.equal((await runsOf(t, 'UR_FL')).length, 2, 'it ran again');
  });

  test('HISTORY whose last day ended PC: resumes past it (nothing left: DONE) without running a day again', async () => {
    await setFlow(t, 'UR_HIST', loadingBlock('UR_HIST'));
    const done = await claimRequest(t, 'HISTORY', 'UR_HIST', { start_date: '2026-12-30', end_date: '2026-12-31' });
    assert.equal((await executeRequest(done, harness(t).context)).status, 'DONE');
    assert.equal((await loseWorker(done.requestId)).unrecorded, true);
    const resumed = await executeRequest(await claimAgain(), nextContext());
    assert.equal(resumed.status, 'DONE');
    assert.equal(resumed.result.completed, 2);
    assert.deepEqual(resumed.result.prcids, [], 'no day ran again');
    assert.equal((await runsOf(t, 'UR_HIST')).length, 2);
  });

  test('every other way back to NEW clears PRCID, so the next claim runs afresh', async () => {
    await setFlow(t, 'UR_RERUN', loadingBlock('UR_RERUN'));
    const request = await claimRequest(t, 'IMMEDIATE', 'UR_RERUN');
    await executeRequest(request, harness(t).context);
    assert.ok(await releaseRequest(t.dialect, request.requestId, CLAIMANT, { delayMs: 0, refundAttempt: true, note: { status: 'NEW', message: 'released' } }));
    const released = await claimAgain<ImmediateRequest>();
    assert.equal(released.unrecordedPrcid, null, 'a release (shutdown, retry of a failed run) means: run again');

    await t.dialect.db.updateTable('dwprcreq').set({ status: 'FAILED' }).where('requestId', '=', request.requestId).execute();
    await retryRequest(t.dialect, request.requestId);
    const row = await t.dialect.db.selectFrom('dwprcreq').select('prcid').where('requestId', '=', request.requestId).executeTakeFirstOrThrow();
    assert.equal(row.prcid, null, 'dwprc retry runs again');

    // A run the reaper itself closes FL (still open when the lease ran out) is re-run too.
    const open = await claimRequest(t, 'IMMEDIATE', 'UR_OPEN');
    await t.dialect.db.updateTable('dwprcreq').set({ prcid: 9001 }).where('requestId', '=', open.requestId).execute();
    await sql`insert into dwprclog (prcid, mapref, status) values (9001, 'UR_OPEN', 'IP')`.execute(t.dialect.db);
    const reaped = await loseWorker(open.requestId);
    assert.deepEqual([reaped.unrecorded, reaped.runSession], [false, 'none']);
    const after = await t.dialect.db.selectFrom('dwprcreq').select('prcid').where('requestId', '=', open.requestId).executeTakeFirstOrThrow();
    assert.equal(after.prcid, null);
  });
});
