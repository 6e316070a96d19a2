import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queueStatus } from '../../src/observe/status.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const SECOND = 1000;

describe('dwprc status: expected finish and overdue runs', () => {
  let t: TestDatabase;
  let prcid = 0;

  /** A finished run of `seconds` that ended `endedAgo` seconds ago (the database's local clock). */
  async function pastRun(mapref: string, status: 'PC' | 'FL', seconds: number, endedAgo = 3600) {
    await t.dialect.db
      .insertInto('dwprclog')
      .values({ prcid: ++prcid, mapref, status, strtdt: t.dialect.localNowPlus(-(endedAgo + seconds) * SECOND), enddt: t.dialect.localNowPlus(-endedAgo * SECOND) })
      .execute();
  }

  /** A CLAIMED request whose run (IP) started `startedAgo` seconds ago; no run at all when `startedAgo` is null. */
  async function running(requestId: string, mapref: string, startedAgo: number | null, type = 'IMMEDIATE') {
    const id = startedAgo === null ? null : ++prcid;
    if (id !== null) {
      await t.dialect.db.insertInto('dwprclog').values({ prcid: id, mapref, status: 'IP', strtdt: t.dialect.localNowPlus(-startedAgo! * SECOND) }).execute();
    }
    await t.dialect.db
      .insertInto('dwprcreq')
      .values({ requestId, mapref, requestType: type, status: 'CLAIMED', claimedBy: 'w:1:a', claimedAt: t.dialect.localNowPlus(-((startedAgo ?? 5) + 1) * SECOND), prcid: id, leaseExpiresAt: t.dialect.utcNowPlus(30 * SECOND) })
      .execute();
  }

  before(async () => {
    t = await createTestDatabase();
    // ON_TIME: 4 runs of about a minute, one slow outlier that a median ignores.
    for (const s of [58, 60, 62, 61, 300]) await pastRun('ON_TIME', 'PC', s);
    await running('R-ON-TIME', 'ON_TIME', 30);
    // LATE: ten recent runs of 10 s (older slow ones and failures do not count); this one is at 60 s.
    for (let i = 0; i < 2; i++) await pastRun('LATE', 'PC', 5000, 90_000);
    for (let i = 0; i < 10; i++) await pastRun('LATE', 'PC', 10);
    await pastRun('LATE', 'FL', 4000, 60);
    await running('R-LATE', 'LATE', 60);
    // NEWBIE: never ran before. FEW: two runs only, far exceeded. A REPORT has no flow history.
    await running('R-NEWBIE', 'NEWBIE', 10);
    for (const s of [1, 1]) await pastRun('FEW', 'PC', s);
    await running('R-FEW', 'FEW', 100);
    for (const s of [1, 1, 1]) await pastRun('REPORTED', 'PC', s);
    await running('R-REPORT', 'REPORTED', null, 'REPORT');
  });
  after(() => t.drop());

  test('per running request: the median of the last 10 PC runs, the finish it gives, overdue past 1.5 × p95', async () => {
    const status = await queueStatus(t.dialect);
    const byId = new Map(status.running.map((r) => [r.requestId, r]));

    const onTime = byId.get('R-ON-TIME')!;
    assert.equal(onTime.expectedSeconds, 61);
    assert.equal(onTime.basedOnRuns, 5);
    assert.equal(onTime.overdue, false);
    assert.equal(onTime.expectedFinish!.getTime() - onTime.startedAt!.getTime(), 61 * SECOND, 'from the run start (DWPRCLOG.STRTDT)');
    const runStart = await t.dialect.db.selectFrom('dwprclog').select('strtdt').where('prcid', '=', onTime.prcid!).executeTakeFirstOrThrow();
    assert.equal(onTime.startedAt!.getTime(), runStart.strtdt!.getTime());

    const late = byId.get('R-LATE')!;
    assert.deepEqual([late.expectedSeconds, late.p95Seconds, late.basedOnRuns, late.overdue], [10, 10, 10, true]);

    const newbie = byId.get('R-NEWBIE')!;
    assert.deepEqual([newbie.expectedSeconds, newbie.expectedFinish, newbie.p95Seconds, newbie.basedOnRuns, newbie.overdue], [null, null, null, 0, false]);
    assert.ok(newbie.startedAt !== null);

    const few = byId.get('R-FEW')!;
    assert.deepEqual([few.expectedSeconds, few.overdue], [1, false], 'two runs give an expectation, not an overdue mark');

    const report = byId.get('R-REPORT')!;
    assert.deepEqual([report.expectedSeconds, report.startedAt, report.overdue], [null, null, false], 'a REPORT is not a flow run');
  });
});
