import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { markStop } from '../../src/queue/markStop.js';
import type { StopRequest } from '../../src/queue/request.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { clearQueue, insertRequests, statuses } from '../support/requests.js';

const stop = (over: Partial<StopRequest>): StopRequest => ({
  type: 'STOP', requestId: 'stop-1', mapref: 'M', payload: {}, attempts: 1, force: false, targetRequestId: null, startTimestamp: null, ...over,
});

describe('STOP requests (markStop)', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());
  beforeEach(() => clearQueue(t.dialect));

  async function running(id: string, mapref: string, prcid: number, strtdt: string) {
    await insertRequests(t.dialect, [{ id, mapref }]);
    await t.dialect.db.updateTable('dwprcreq').set({ status: 'CLAIMED', claimedBy: 'w:1', prcid }).where('requestId', '=', id).execute();
    await sql`insert into dwprclog (prcid, mapref, status, strtdt) values (${prcid}, ${mapref}, 'IP', ${strtdt}::timestamp)`.execute(t.dialect.db);
  }

  test('marks the running execution of the MAPREF: graceful G, force F, with the STOP id', async () => {
    await running('r1', 'M', 11, '2027-01-05 10:00:00.250');
    const result = await markStop(t.dialect, stop({ force: true }));
    assert.deepEqual([result.status, result.target, result.prcid], ['DONE', 'r1', 11]);
    assert.match(result.message, /^force stop requested for request r1 \(PRCID 11\) on worker w:1$/);
    const row = await t.dialect.db.selectFrom('dwprcreq').select(['stopRequested', 'stopRequestId']).where('requestId', '=', 'r1').executeTakeFirstOrThrow();
    assert.deepEqual(row, { stopRequested: 'F', stopRequestId: 'stop-1' });
  });

  test('start_timestamp names the run by its DWPRCLOG.STRTDT, to the second', async () => {
    await running('r2', 'M', 12, '2027-01-05 10:00:00.250');
    assert.equal((await markStop(t.dialect, stop({ startTimestamp: '2027-01-05 09:59:59' }))).status, 'NOT_RUNNING');
    assert.equal((await markStop(t.dialect, stop({ startTimestamp: 'not a time' }))).status, 'NOT_RUNNING');
    const hit = await markStop(t.dialect, stop({ startTimestamp: '2027-01-05 10:00:00' }));
    assert.deepEqual([hit.status, hit.target], ['DONE', 'r2']);
  });

  test('a queued request named by request_id is cancelled; a finished one is NOT_RUNNING', async () => {
    await insertRequests(t.dialect, [{ id: 'queued', mapref: 'M' }, { id: 'done', mapref: 'M' }]);
    await t.dialect.db.updateTable('dwprcreq').set({ status: 'DONE' }).where('requestId', '=', 'done').execute();
    const cancelled = await markStop(t.dialect, stop({ targetRequestId: 'queued' }));
    assert.deepEqual([cancelled.status, cancelled.message], ['DONE', 'request queued was queued; cancelled']);
    assert.equal((await statuses(t.dialect)).queued, 'CANCELLED');
    const finished = await markStop(t.dialect, stop({ targetRequestId: 'done' }));
    assert.deepEqual([finished.status, finished.message], ['NOT_RUNNING', 'request done is already DONE']);
    assert.deepEqual(await markStop(t.dialect, stop({ mapref: 'NOTHING' })), { status: 'NOT_RUNNING', message: 'no running execution of NOTHING to stop' });
  });
});
