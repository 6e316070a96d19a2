import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertFlows, sleepingBlock } from '../support/flows.js';
import { insertSchedule } from '../support/schedules.js';
import { waitFor } from '../support/waitFor.js';
import { serving, spawnWorker, stopWorkers, type WorkerProcess } from '../support/workerProcess.js';

const SCHEDULES = 10;
/** How far NXT_RUN_DT is driven into the past: that many minutely occurrences become due at once. */
const MINUTES_BACK = 20;

/**
 * Every replica ticks the scheduler and none leads: three worker processes ticking every 100 ms
 * against minutely schedules whose NXT_RUN_DT is driven into the past (instead of waiting
 * minutes), while their ticks race. Each occurrence must be enqueued exactly once: one request
 * `S<JOBSCHID>-<yyyyMMddHHmm>` per minute, none missing, no tick failing over a duplicate.
 */
describe('scheduler tick on a fleet of worker processes', () => {
  let t: TestDatabase;
  const workers: WorkerProcess[] = [];
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => {
    await stopWorkers(workers);
    await t.drop();
  });

  test(`3 workers, ${SCHEDULES} minutely schedules driven ${MINUTES_BACK} minutes back: every occurrence enqueued once and run`, async () => {
    const maprefs = Array.from({ length: SCHEDULES }, (_, i) => `TICK_${i}`);
    await insertFlows(t.dialect, maprefs.map((mapref) => ({ mapref, dwlogic: sleepingBlock(mapref, 0.001) })));
    const today = DateTime.utc().toISODate()!;
    const ids = new Map<number, string>();
    for (const mapref of maprefs) ids.set(await insertSchedule(t.dialect, { mapref, frqcd: 'ID', frqhh: '-1', frqmi: '1', strtdt: today }), mapref);

    // Missed occurrences within a day are "on time": each one fires (no coalescing to one).
    const env = { DWPRC_TICK: '100ms', DWPRC_POLL: '200ms', DWPRC_MISFIRE_THRESHOLD: '1d', DWPRC_CONCURRENCY: '4' };
    workers.push(...Array.from({ length: 3 }, () => spawnWorker(t.url, env)));
    await Promise.all(workers.map((w) => serving(t.dialect, w)));
    await waitFor(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from dwjobsch where nxt_run_dt is not null`.execute(t.dialect.db);
      return rows[0]!.n === SCHEDULES;
    }, 'every schedule initialised by some tick');

    // Back in time while the ticks run: the UPDATE waits for any tick holding a row.
    const { rows: clock } = await sql<{ now: Date }>`select date_trunc('minute', now() at time zone 'UTC') as now`.execute(t.dialect.db);
    const from = new Date(clock[0]!.now.getTime() - MINUTES_BACK * 60_000);
    await t.dialect.db.updateTable('dwjobsch').set({ nxtRunDt: from }).where('curflg', '=', 'Y').execute();
    await waitFor(async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from dwjobsch where nxt_run_dt <= now() at time zone 'UTC'`.execute(t.dialect.db);
      return rows[0]!.n === 0;
    }, 'every due occurrence fired');
    await waitFor(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from dwprcreq where status in ('NEW', 'CLAIMED')`.execute(t.dialect.db);
      return rows[0]!.n === 0;
    }, 'every firing run', 60_000);
    await stopWorkers(workers);
    assert.deepEqual(workers.map((w) => w.child.exitCode), [0, 0, 0], workers.map((w) => w.output()).join('\n'));

    const schedules = await t.dialect.db.selectFrom('dwjobsch').select(['jobschid', 'lstRunDt']).execute();
    const requests = await t.dialect.db.selectFrom('dwprcreq').select(['requestId', 'mapref', 'status', 'payload']).execute();
    const minute = (d: Date) => DateTime.fromJSDate(d, { zone: 'UTC' }).toFormat('yyyyMMddHHmm');
    for (const { jobschid, lstRunDt } of schedules) {
      const mine = requests.filter((r) => r.requestId.startsWith(`S${jobschid}-`));
      // From the driven start to the last firing, every minute exactly once (natural firings
      // before the drive, if a minute turned meanwhile, are inside that range: no gap, no repeat).
      const expected: string[] = [];
      for (let at = from.getTime(); at <= lstRunDt!.getTime(); at += 60_000) expected.push(`S${jobschid}-${minute(new Date(at))}`);
      assert.deepEqual(mine.map((r) => r.requestId).sort(), expected, `schedule ${jobschid}`);
      assert.ok(expected.length >= MINUTES_BACK + 1);
      assert.ok(mine.every((r) => r.mapref === ids.get(jobschid) && r.status === 'DONE'));
      assert.ok(mine.every((r) => (JSON.parse(r.payload!) as { jobschid: number }).jobschid === jobschid));
    }
    assert.equal(requests.length, requests.filter((r) => /^S\d+-\d{12}$/.test(r.requestId)).length, 'nothing but firings');
    const { rows: runs } = await sql<{ n: number }>`select count(*)::int as n from dwprclog where status = 'PC'`.execute(t.dialect.db);
    assert.equal(runs[0]!.n, requests.length, 'one run per firing');
    const failures = workers.flatMap((w) => w.output().split('\n')).filter((l) => l.includes('scheduler tick failed'));
    assert.deepEqual(failures, [], 'no tick failed (a duplicate firing would fail its transaction)');
  });
});
