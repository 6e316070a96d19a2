import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { RunSession, RunTag } from '../../src/db/dialects/dialect.js';
import { runApplicationName } from '../../src/db/dialects/postgres.js';
import { LEASE_EXPIRED } from '../../src/queue/abandonedRun.js';
import { reapExpiredLeases } from '../../src/queue/reapExpiredLeases.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { clearQueue, insertRequests } from '../support/requests.js';
import { waitFor } from '../support/waitFor.js';

/** A session tagged as openRunRow tags a run's session. */
async function tag(session: RunSession, run: RunTag): Promise<void> {
  await sql`select set_config('application_name', ${runApplicationName(run)}, false)`.execute(session.db);
}

describe('reaping expired leases', () => {
  let t: TestDatabase;
  const policy = { retryLimit: 3, retryBaseMs: 10_000 };
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());
  beforeEach(() => clearQueue(t.dialect));

  async function claimAndExpire(id: string, attempts: number, extra: Record<string, unknown> = {}) {
    await insertRequests(t.dialect, [{ id, mapref: id.toUpperCase() }]);
    await t.dialect.db
      .updateTable('dwprcreq')
      .set({ status: 'CLAIMED', claimedBy: 'dead:1', attempts, leaseExpiresAt: t.dialect.utcNowPlus(-1000), ...extra })
      .where('requestId', '=', id)
      .execute();
  }

  test('a lost run goes back to NEW with backoff and its IP log row ends FL', async () => {
    await claimAndExpire('a', 1, { prcid: 41 });
    await sql`insert into dwprclog (prcid, mapref, status) values (41, 'A', 'IP')`.execute(t.dialect.db);
    const reaped = await reapExpiredLeases(t.dialect, policy);
    assert.deepEqual(reaped.map((r) => [r.requestId, r.outcome, r.prcid]), [['a', 'NEW', 41]]);
    const row = await t.dialect.db.selectFrom('dwprcreq').selectAll().where('requestId', '=', 'a').executeTakeFirstOrThrow();
    assert.equal(row.status, 'NEW');
    assert.equal(row.claimedBy, null);
    const delay = row.runAfter!.getTime() - Date.now();
    assert.ok(delay > 5_000 && delay < 15_000, `retry in ${delay} ms`);
    assert.match(JSON.parse(row.resultPayload!).message, /worker lost: lease expired on dead:1; retry 2 of 3/);
    const log = await t.dialect.db.selectFrom('dwprclog').select(['status', 'msg']).where('prcid', '=', 41).executeTakeFirstOrThrow();
    assert.deepEqual(log, { status: 'FL', msg: LEASE_EXPIRED });
    const errors = await t.dialect.db.selectFrom('dwjoberr').select(['errtyp', 'errmsg', 'mapref']).where('prcid', '=', 41).execute();
    assert.deepEqual(errors, [{ errtyp: 'ERR', errmsg: LEASE_EXPIRED, mapref: 'A' }], 'a failed run always has an ERR row');
  });

  test('after its attempts the request is FAILED; a stop-marked one is CANCELLED', async () => {
    await claimAndExpire('b', 3);
    await claimAndExpire('c', 1, { stopRequested: 'G' });
    const reaped = await reapExpiredLeases(t.dialect, policy);
    assert.deepEqual(Object.fromEntries(reaped.map((r) => [r.requestId, r.outcome])), { b: 'FAILED', c: 'CANCELLED' });
  });

  test('live leases are left alone and two reapers act once', async () => {
    await claimAndExpire('d', 1);
    await insertRequests(t.dialect, [{ id: 'live', mapref: 'LIVE' }]);
    await t.dialect.db.updateTable('dwprcreq').set({ status: 'CLAIMED', claimedBy: 'w', leaseExpiresAt: t.dialect.utcNowPlus(60_000) }).where('requestId', '=', 'live').execute();
    const [x, y] = await Promise.all([reapExpiredLeases(t.dialect, policy), reapExpiredLeases(t.dialect, policy)]);
    assert.equal(x.length + y.length, 1);
    const live = await t.dialect.db.selectFrom('dwprcreq').select('status').where('requestId', '=', 'live').executeTakeFirstOrThrow();
    assert.equal(live.status, 'CLAIMED');
  });

  test('fencing: the session still executing a reaped run is ended before the request is queued again', async () => {
    const session = await t.dialect.openRunSession();
    const other = await t.dialect.openRunSession();
    try {
      await tag(session, { mapref: 'ZOMBIE', prcid: 51 });
      // Another run's session that merely shares nothing but the table: left alone.
      await tag(other, { mapref: 'ZOMBIE', prcid: 52 });
      const running = session.runBlock(`DO $$ BEGIN PERFORM pg_sleep(60); END $$`).then(() => null, (error: unknown) => error);
      await waitFor(async () => {
        const { rows } = await sql<{ s: string }>`select state as s from pg_stat_activity where pid = ${session.sessionId}`.execute(t.dialect.db);
        return rows[0]?.s === 'active';
      });
      await claimAndExpire('zombie', 1, { prcid: 51 });
      await sql`insert into dwprclog (prcid, mapref, status, sessionid) values (51, 'ZOMBIE', 'IP', ${session.sessionId})`.execute(t.dialect.db);
      const started = Date.now();
      const reaped = await reapExpiredLeases(t.dialect, policy);
      assert.deepEqual(reaped.map((r) => [r.requestId, r.outcome, r.runSession]), [['zombie', 'NEW', 'ended']]);
      assert.equal(((await running) as { code?: string } | null)?.code, '57P01', 'the block was terminated');
      assert.ok(Date.now() - started < 5_000);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where pid = ${session.sessionId}`.execute(t.dialect.db);
      assert.equal(rows[0]!.n, 0, 'its backend is gone before the reap committed');
      assert.equal(await t.dialect.selectValue(sql<number>`1`, other.db), 1, 'the other session is untouched');
    } finally {
      await session.release({ discard: true });
      await other.release();
    }
  });

  test('a run whose session has already gone, or carries another tag, is closed without ending anything', async () => {
    const session = await t.dialect.openRunSession();
    try {
      await tag(session, { mapref: 'OTHER', prcid: 99 });
      await claimAndExpire('gone', 1, { prcid: 61 });
      await sql`insert into dwprclog (prcid, mapref, status, sessionid) values (61, 'GONE', 'IP', ${session.sessionId})`.execute(t.dialect.db);
      const reaped = await reapExpiredLeases(t.dialect, policy);
      assert.deepEqual(reaped.map((r) => [r.requestId, r.runSession]), [['gone', 'none']]);
      assert.equal(await t.dialect.selectValue(sql<number>`1`, session.db), 1, 'a session tagged for another run is not touched');
    } finally {
      await session.release();
    }
  });
});
