import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { SchedulerSettings } from '../../src/config.js';
import { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { createLogger } from '../../src/observe/logger.js';
import { schedulerTick } from '../../src/scheduler/tick.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertSchedule, scheduleRow } from '../support/schedules.js';

const log = createLogger({ level: 'silent', destination: process.stderr, pretty: false });
const settings: SchedulerSettings = { tickMs: 1000, misfire: 'coalesce', catchupMax: 10, misfireThresholdMs: 60_000 };

describe('scheduler tick', () => {
  let t: TestDatabase;
  const tick = (over: Partial<SchedulerSettings> = {}, dialect = t.dialect) =>
    schedulerTick({ dialect, settings: { ...settings, ...over }, zone: 'UTC', log });
  const today = () => DateTime.utc().toISODate()!;
  const yesterday = () => DateTime.utc().minus({ days: 1 }).toISODate()!;
  const requests = async () =>
    (await t.dialect.db.selectFrom('dwprcreq').select(['requestId', 'mapref', 'requestType', 'payload']).orderBy('requestId').execute()).map((r) => ({
      ...r,
      payload: JSON.parse(r.payload!),
    }));

  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());
  beforeEach(async () => {
    await sql`truncate dwprcreq, dwjobsch`.execute(t.dialect.db);
  });

  test('a new schedule gets its first occurrence computed without firing', async () => {
    const id = await insertSchedule(t.dialect, { mapref: 'D1', frqcd: 'DL', frqhh: '23', frqmi: '59', strtdt: today() });
    const r = await tick();
    assert.equal(r.initialised, 1);
    assert.deepEqual(r.fired, []);
    const row = await scheduleRow(t.dialect, id);
    assert.equal(row.nxtRunDt!.toISOString(), `${today()}T23:59:00.000Z`);
    assert.equal(row.lstRunDt, null);
    assert.equal((await tick()).initialised, 0, 'nothing to recompute on the next tick');
  });

  test('a due schedule fires once with a deterministic id and advances; ticking again adds nothing', async () => {
    const id = await insertSchedule(t.dialect, { mapref: 'D2', frqcd: 'DL', frqhh: '00', frqmi: '00', strtdt: yesterday() });
    await tick();
    // The fleet was down over midnight: drive NXT_RUN_DT to the occurrence just passed.
    await t.dialect.db.updateTable('dwjobsch').set({ nxtRunDt: new Date(`${today()}T00:00:00Z`) }).where('jobschid', '=', id).execute();
    const r = await tick({ misfireThresholdMs: 48 * 3600_000 });
    const expectedId = `S${id}-${today().replaceAll('-', '')}0000`;
    assert.deepEqual(r.fired, [expectedId]);
    const [req] = await requests();
    assert.deepEqual([req!.requestId, req!.mapref, req!.requestType], [expectedId, 'D2', 'IMMEDIATE']);
    assert.deepEqual(req!.payload, { source: 'schedule', jobschid: id, scheduled_for: `${today()}T00:00:00.000Z` });
    const row = await scheduleRow(t.dialect, id);
    assert.equal(row.lstRunDt!.toISOString(), `${today()}T00:00:00.000Z`);
    assert.equal(row.nxtRunDt!.toISOString(), `${DateTime.utc().plus({ days: 1 }).toISODate()}T00:00:00.000Z`);
    assert.deepEqual((await tick()).fired, []);
    assert.equal((await requests()).length, 1);
  });

  test('replicas ticking at once enqueue every occurrence exactly once', async () => {
    const ids: number[] = [];
    // Every minute, ended yesterday: which occurrences are due does not depend on the time now.
    const twoDaysAgo = DateTime.utc().minus({ days: 2 }).toISODate()!;
    for (let i = 0; i < 40; i++) {
      ids.push(await insertSchedule(t.dialect, { mapref: `R${i}`, frqcd: 'ID', frqhh: '-1', frqmi: '01', strtdt: twoDaysAgo, enddt: yesterday() }));
    }
    await tick();
    const replicas = Array.from({ length: 3 }, () => new PostgresDialect({ url: t.url, schema: null, tablePrefix: 'DW', poolMax: 3 }));
    try {
      const midnight = new Date(`${today()}T00:00:00Z`);
      for (let round = 0; round < 3; round++) {
        // Each round reaches one minute further back before midnight: exactly one occurrence per
        // schedule is due that no replica has fired yet, 40 in all, whoever wins each lock.
        await t.dialect.db.updateTable('dwjobsch').set({ nxtRunDt: new Date(midnight.getTime() - (round + 1) * 60_000) }).execute();
        const results = await Promise.all(replicas.map((d) => tick({ misfireThresholdMs: 72 * 3600_000 }, d)));
        assert.equal(results.reduce((n, r) => n + r.fired.length, 0), 40, `round ${round}`);
      }
      const all = await requests();
      assert.equal(all.length, 120);
      assert.equal(new Set(all.map((r) => r.requestId)).size, 120);
    } finally {
      await Promise.all(replicas.map((d) => d.close()));
    }
  });

  test('a burst of due schedules larger than a batch is fired in one tick, shared by replicas, once each', async () => {
    const twoDaysAgo = DateTime.utc().minus({ days: 2 }).toISODate()!;
    await sql`insert into dwjobsch (jobschid, mapref, frqcd, frqhh, frqmi, strtdt, enddt, stflg, curflg, schflg)
              select g, 'B' || g, 'ID', '-1', '01', ${new Date(`${twoDaysAgo}T00:00:00Z`)}, ${new Date(`${yesterday()}T00:00:00Z`)}, 'A', 'Y', 'Y'
                from generate_series(1, 1200) g`.execute(t.dialect.db);
    await tick();
    await t.dialect.db.updateTable('dwjobsch').set({ nxtRunDt: new Date(`${yesterday()}T23:59:00Z`) }).execute();
    const replicas = Array.from({ length: 2 }, () => new PostgresDialect({ url: t.url, schema: null, tablePrefix: 'DW', poolMax: 2 }));
    try {
      const results = await Promise.all(replicas.map((d) => tick({ misfireThresholdMs: 72 * 3600_000 }, d)));
      assert.equal(results.reduce((n, r) => n + r.fired.length, 0), 1200, 'more than two batches, all fired by this one tick of each replica');
      const all = await requests();
      assert.equal(new Set(all.map((r) => r.requestId)).size, 1200);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from dwjobsch where nxt_run_dt is not null`.execute(t.dialect.db);
      assert.equal(rows[0]!.n, 0, 'the minute before midnight was the last occurrence of each');
    } finally {
      await Promise.all(replicas.map((d) => d.close()));
    }
  });

  describe('misfires: five occurrences missed while the fleet was down', () => {
    // Every minute, ended yesterday: the five minutes before midnight are long past, deterministically.
    const setup = async () => {
      const twoDaysAgo = DateTime.utc().minus({ days: 2 }).toISODate()!;
      const id = await insertSchedule(t.dialect, { mapref: 'MF', frqcd: 'ID', frqhh: '-1', frqmi: '01', strtdt: twoDaysAgo, enddt: yesterday() });
      await tick();
      await t.dialect.db.updateTable('dwjobsch').set({ nxtRunDt: new Date(`${yesterday()}T23:55:00Z`) }).where('jobschid', '=', id).execute();
      return id;
    };

    test('coalesce (default): the latest fires once and records how many were skipped', async () => {
      const id = await setup();
      const r = await tick({ misfire: 'coalesce' });
      assert.deepEqual(r.fired, [`S${id}-${yesterday().replaceAll('-', '')}2359`]);
      assert.equal(r.skipped, 4);
      assert.deepEqual((await requests())[0]!.payload, { source: 'schedule', jobschid: id, scheduled_for: `${yesterday()}T23:59:00.000Z`, skipped: 4, misfire: 'coalesce' });
      const row = await scheduleRow(t.dialect, id);
      assert.equal(row.nxtRunDt, null, 'ended: no next run');
      // The drop is on the schedule too, for `dwprc why`: the latest occurrence dropped and how many.
      assert.deepEqual([row.lstSkipDt!.toISOString(), row.lstSkipCnt], [`${yesterday()}T23:58:00.000Z`, 4]);
    });

    test('skip: nothing missed fires; only DWJOBSCH.LST_SKIP_DT/CNT record the drop, LST_RUN_DT stays the last real firing', async () => {
      const id = await setup();
      const lastFired = new Date(`${yesterday()}T12:00:00Z`);
      await t.dialect.db.updateTable('dwjobsch').set({ lstRunDt: lastFired }).where('jobschid', '=', id).execute();
      const r = await tick({ misfire: 'skip' });
      assert.deepEqual([r.fired.length, r.skipped], [0, 5]);
      assert.equal((await requests()).length, 0);
      const row = await scheduleRow(t.dialect, id);
      assert.deepEqual([row.lstSkipDt!.toISOString(), row.lstSkipCnt, row.lstRunDt, row.nxtRunDt], [`${yesterday()}T23:59:00.000Z`, 5, lastFired, null]);
    });

    test('catchup: each missed occurrence, its own id, at most DWPRC_CATCHUP_MAX', async () => {
      const id = await setup();
      assert.equal((await tick({ misfire: 'catchup' })).fired.length, 5);
      assert.deepEqual((await requests()).map((r) => r.requestId), [55, 56, 57, 58, 59].map((m) => `S${id}-${yesterday().replaceAll('-', '')}23${m}`));
      await sql`truncate dwprcreq`.execute(t.dialect.db);
      await t.dialect.db.updateTable('dwjobsch').set({ nxtRunDt: new Date(`${yesterday()}T23:55:00Z`) }).where('jobschid', '=', id).execute();
      assert.equal((await scheduleRow(t.dialect, id)).lstSkipDt, null, 'nothing dropped, nothing recorded');
      const capped = await tick({ misfire: 'catchup', catchupMax: 2 });
      assert.deepEqual([capped.fired.length, capped.skipped], [2, 3]);
      const row = await scheduleRow(t.dialect, id);
      assert.deepEqual([row.lstSkipDt!.toISOString(), row.lstSkipCnt], [`${yesterday()}T23:57:00.000Z`, 3]);
    });
  });

  test('an in-place edit of the frequency takes effect at the next tick', async () => {
    const id = await insertSchedule(t.dialect, { mapref: 'ED', frqcd: 'DL', frqhh: '23', frqmi: '59', strtdt: today() });
    await tick();
    await t.dialect.db.updateTable('dwjobsch').set({ frqhh: '23', frqmi: '58' }).where('jobschid', '=', id).execute();
    assert.equal((await tick()).initialised, 1);
    assert.equal((await scheduleRow(t.dialect, id)).nxtRunDt!.toISOString(), `${today()}T23:58:00.000Z`);
  });

  test('disabling clears the next run and stops firing; dependency children never fire on their own', async () => {
    const id = await insertSchedule(t.dialect, { mapref: 'DS', frqcd: 'ID', frqhh: '-1', frqmi: '01', strtdt: yesterday() });
    const child = await insertSchedule(t.dialect, { mapref: 'CH', frqcd: 'ID', frqhh: '-1', frqmi: '01', strtdt: yesterday(), parent: id });
    await tick();
    assert.equal((await scheduleRow(t.dialect, child)).nxtRunDt, null);
    await t.dialect.db.updateTable('dwjobsch').set({ schflg: 'N' }).where('jobschid', '=', id).execute();
    await sql`update dwjobsch set nxt_run_dt = nxt_run_dt - interval '10 minutes'`.execute(t.dialect.db);
    assert.deepEqual((await tick()).fired, []);
    assert.equal((await scheduleRow(t.dialect, id)).nxtRunDt, null);
  });

  test('the tick says when the earliest schedule falls due, never a moment already past (a due schedule another replica holds)', async () => {
    assert.equal((await tick()).nextDueInMs, null, 'no schedule, no early tick');
    const later = await insertSchedule(t.dialect, { mapref: 'NX', frqcd: 'DL', frqhh: '23', frqmi: '59', strtdt: today() });
    const first = await tick();
    const expected = (await scheduleRow(t.dialect, later)).nxtRunDt!.getTime() - Date.now();
    assert.ok(first.nextDueInMs !== null && Math.abs(first.nextDueInMs - expected) < 5_000, `due in ${first.nextDueInMs} ms, expected about ${expected}`);

    const held = await insertSchedule(t.dialect, { mapref: 'HD', frqcd: 'DL', frqhh: '00', frqmi: '00', strtdt: yesterday() });
    await tick();
    await t.dialect.db.updateTable('dwjobsch').set({ nxtRunDt: new Date(`${today()}T00:00:00Z`) }).where('jobschid', '=', held).execute();
    await t.dialect.db.transaction().execute(async (trx) => {
      await trx.selectFrom('dwjobsch').select('jobschid').where('jobschid', '=', held).forUpdate().execute();
      const during = await tick({ misfireThresholdMs: 48 * 3600_000 });
      assert.deepEqual(during.fired, [], 'the other replica is firing it');
      assert.equal(during.nextDueInMs, null, 'a schedule still due now asks for no early tick: waking for it at once would spin');
    });
  });

  test('an invalid row written by hand never fires and is not re-read every tick', async () => {
    const id = await insertSchedule(t.dialect, { mapref: 'BAD', frqcd: 'XX', strtdt: today() });
    assert.equal((await tick()).initialised, 1);
    assert.equal((await scheduleRow(t.dialect, id)).nxtRunDt, null);
    assert.equal((await tick()).initialised, 0);
  });
});
