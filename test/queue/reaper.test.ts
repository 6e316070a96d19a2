import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { LEASE_EXPIRED, reapExpiredLeases } from '../../src/queue/reapExpiredLeases.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { clearQueue, insertRequests } from '../support/requests.js';

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
});
