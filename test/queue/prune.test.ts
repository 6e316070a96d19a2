import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { pruneRunLogs } from '../../src/engine/pruneRunLogs.js';
import { withTimeout } from '../../src/observe/withTimeout.js';
import { pruneRequests } from '../../src/queue/pruneRequests.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { clearQueue, insertRequests, statuses } from '../support/requests.js';

const DAY = 86_400_000;

describe('prune', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());
  beforeEach(() => clearQueue(t.dialect));

  const options = (extra: Partial<Parameters<typeof pruneRequests>[1]> = {}) => ({ olderThanMs: 30 * DAY, dryRun: false, batchSize: 1000, ...extra });

  /** Request `id` in `status`, completed `daysAgo` days ago by the database clock (null: never). */
  async function request(id: string, status: string, daysAgo: number | null) {
    await insertRequests(t.dialect, [{ id, mapref: `M_${id}` }]);
    await t.dialect.db
      .updateTable('dwprcreq')
      .set({ status, completedAt: daysAgo === null ? null : t.dialect.localNowPlus(-daysAgo * DAY) })
      .where('requestId', '=', id)
      .execute();
  }

  async function run(prcid: number, status: string, endedDaysAgo: number | null, updatedDaysAgo: number, children = { logs: 1, errors: 1 }) {
    const db = t.dialect.db;
    await db
      .insertInto('dwprclog')
      .values({
        prcid, status: status as 'PC', mapref: 'M',
        enddt: endedDaysAgo === null ? null : t.dialect.localNowPlus(-endedDaysAgo * DAY),
        recupdt: t.dialect.localNowPlus(-updatedDaysAgo * DAY),
      })
      .execute();
    for (let i = 0; i < children.logs; i++) await db.insertInto('dwjoblog').values({ joblogid: prcid * 100 + i, prcid, mapref: 'M' }).execute();
    for (let i = 0; i < children.errors; i++) await db.insertInto('dwjoberr').values({ joblogid: prcid * 100, errid: prcid * 100 + i, prcid, mapref: 'M' }).execute();
  }

  const remaining = async (table: 'dwprclog' | 'dwjoblog' | 'dwjoberr') =>
    (await t.dialect.db.selectFrom(table).select('prcid').orderBy('prcid').execute()).map((r) => r.prcid);

  test('finished requests older than the cutoff go; queued, running, recent and undated ones stay', async () => {
    await request('done_old', 'DONE', 40);
    await request('failed_old', 'FAILED', 31);
    await request('cancelled_old', 'CANCELLED', 365);
    await request('done_recent', 'DONE', 29);
    await request('done_undated', 'DONE', null);
    await request('new_old', 'NEW', null);
    await request('claimed_old', 'CLAIMED', 40);
    assert.equal(await pruneRequests(t.dialect, options({ dryRun: true })), 3);
    assert.equal(Object.keys(await statuses(t.dialect)).length, 7, 'a dry run deletes nothing');
    assert.equal(await pruneRequests(t.dialect, options()), 3);
    assert.deepEqual(Object.keys(await statuses(t.dialect)).sort(), ['claimed_old', 'done_recent', 'done_undated', 'new_old']);
    assert.equal(await pruneRequests(t.dialect, options()), 0);
  });

  test('in batches smaller than the work: every page is deleted, the loop ends', async () => {
    for (let i = 0; i < 7; i++) await request(`old${i}`, 'DONE', 40);
    await request('keep', 'DONE', 1);
    assert.equal(await pruneRequests(t.dialect, options({ batchSize: 2 })), 7);
    assert.deepEqual(Object.keys(await statuses(t.dialect)), ['keep']);
  });

  test('workers are not in the way: rows a claim holds locked do not stop a prune', async () => {
    await request('old', 'DONE', 40);
    await request('queued', 'NEW', null);
    await request('running', 'CLAIMED', null);
    const worker = new pg.Client({ connectionString: t.url });
    await worker.connect();
    try {
      await worker.query(`begin; select request_id from dwprcreq where status in ('NEW', 'CLAIMED') for update`);
      const pruned = await withTimeout(pruneRequests(t.dialect, options({ batchSize: 1 })), 5000, 'a prune beside a claim');
      assert.equal(pruned, 1);
      await worker.query('rollback');
    } finally {
      await worker.end();
    }
  });

  test('ended run logs older than the cutoff go with their DWJOBLOG and DWJOBERR rows; IP and recent runs stay', async () => {
    await run(1, 'PC', 40, 40, { logs: 2, errors: 3 });
    await run(2, 'FL', null, 35); // LOG_JOB_ERROR closed it without ENDDT
    await run(3, 'ST', 31, 31);
    await run(4, 'IP', null, 90); // a run still in progress is never pruned, however old
    await run(5, 'PC', 2, 2);
    await run(6, 'FL', null, 3);
    await run(7, 'PC', 45, 45, { logs: 0, errors: 0 });
    const dry = await pruneRunLogs(t.dialect, { olderThanMs: 30 * DAY, dryRun: true, batchSize: 2 });
    assert.deepEqual(dry, { runs: 4, jobLogs: 4, jobErrors: 5 });
    assert.deepEqual(await remaining('dwprclog'), [1, 2, 3, 4, 5, 6, 7]);
    const done = await pruneRunLogs(t.dialect, { olderThanMs: 30 * DAY, dryRun: false, batchSize: 2 });
    assert.deepEqual(done, dry);
    assert.deepEqual(await remaining('dwprclog'), [4, 5, 6]);
    assert.deepEqual(await remaining('dwjoblog'), [4, 5, 6]);
    assert.deepEqual(await remaining('dwjoberr'), [4, 5, 6]);
  });

  test('the cutoff is the database clock: localNowPlus agrees with localtimestamp', async () => {
    const { rows } = await sql<{ skew: number }>`select extract(epoch from (localtimestamp - ${t.dialect.localNowPlus(-DAY)})) as skew`.execute(t.dialect.db);
    assert.ok(Math.abs(Number(rows[0]!.skew) - 86_400) < 1, `skew ${rows[0]!.skew}`);
  });
});
