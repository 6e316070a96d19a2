import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import pg from 'pg';
import { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { UserError } from '../../src/errors.js';
import { createLogger } from '../../src/observe/logger.js';
import { occurrenceAtOrAfter, parseSchedule } from '../../src/schedule/index.js';
import { linkDependency } from '../../src/scheduler/linkDependency.js';
import { listSchedules } from '../../src/scheduler/listSchedules.js';
import { readCurrentSchedule } from '../../src/scheduler/readCurrentSchedule.js';
import { saveSchedule, type ScheduleInput } from '../../src/scheduler/saveSchedule.js';
import { signatureOf } from '../../src/scheduler/scheduleFields.js';
import { setScheduleEnabled } from '../../src/scheduler/setScheduleEnabled.js';
import { schedulerTick } from '../../src/scheduler/tick.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitFor } from '../support/waitFor.js';

/**
 * The schedule operations of the CLI and API, through the package functions of the embedded
 * PostgreSQL: the package does the change, dwprc writes NXT_RUN_DT as the tick would.
 */

const ZONE = 'Europe/London';
const log = createLogger({ level: 'silent', destination: process.stderr, pretty: false });

describe('schedule operations (saveSchedule, setScheduleEnabled, linkDependency, listSchedules)', () => {
  let t: TestDatabase;
  /** A start date a month ahead: the first occurrence does not depend on the time the test runs. */
  let start: string;
  let nextFlowId = 1;
  const db = () => t.dialect.db;

  before(async () => {
    t = await createTestDatabase();
    const { rows } = await sql<{ d: string }>`select (current_date + 30)::text as d`.execute(db());
    start = rows[0]!.d;
  });
  after(() => t.drop());
  beforeEach(async () => {
    await sql`truncate dwjobsch, dwjobflw`.execute(db());
  });

  async function flow(...maprefs: string[]) {
    for (const mapref of maprefs) {
      await db().insertInto('dwjobflw').values({ jobflwid: nextFlowId++, mapref, curflg: 'Y', stflg: 'A', dwlogic: 'DO $$ BEGIN END $$' }).execute();
    }
  }
  const input = (mapref: string, over: Partial<ScheduleInput> = {}): ScheduleInput => ({
    mapref, frqcd: 'WK', frqdd: 'MON', frqhh: '09', frqmi: '30', strtdt: start, enddt: null, ...over,
  });
  const current = (mapref: string) => db().selectFrom('dwjobsch').selectAll().where('mapref', '=', mapref).where('curflg', '=', 'Y').executeTakeFirstOrThrow();
  const rows = (mapref: string) => db().selectFrom('dwjobsch').selectAll().where('mapref', '=', mapref).orderBy('jobschid').execute();
  const save = (i: ScheduleInput, dialect = t.dialect) => saveSchedule(dialect, i, ZONE);
  /** The first occurrence the frequency engine gives for these fields (they start in the future). */
  const expectedNext = (i: ScheduleInput) => {
    const parsed = parseSchedule(i, { zone: ZONE });
    assert.ok(parsed.ok);
    return occurrenceAtOrAfter(parsed.rule, DateTime.utc())!.toJSDate();
  };
  async function refused(call: Promise<unknown>): Promise<string> {
    const error = await call.then(() => assert.fail('expected a refusal'), (e: unknown) => e);
    assert.ok(error instanceof UserError, String(error));
    assert.equal(error.exitCode, 1);
    return error.message;
  }

  describe('saveSchedule', () => {
    test('a first save: not yet enabled, so no next run; enabling writes the first occurrence and the signature the tick expects', async () => {
      await flow('S1');
      const i = input('S1');
      const id = await save(i);
      let row = await current('S1');
      assert.deepEqual([row.jobschid, row.schflg, row.nxtRunDt, row.nxtRunSig], [id, 'N', null, null]);

      await setScheduleEnabled(t.dialect, 'S1', true, ZONE);
      row = await current('S1');
      assert.equal(row.schflg, 'Y');
      assert.deepEqual(row.nxtRunDt, expectedNext(i));
      assert.equal(row.nxtRunSig, signatureOf(row, ZONE));
      assert.equal((await schedulerTick({ dialect: t.dialect, settings: { tickMs: 1000, misfire: 'coalesce', catchupMax: 10, misfireThresholdMs: 60_000 }, zone: ZONE, log })).initialised, 0, 'nothing left for the tick to initialise');
    });

    test('changing an enabled schedule: a new row, still enabled, its NXT_RUN_DT written in the same call (across DST: 01:30 London)', async () => {
      await flow('S2');
      await save(input('S2'));
      await setScheduleEnabled(t.dialect, 'S2', true, ZONE);
      const changed = input('S2', { frqcd: 'DL', frqdd: null, frqhh: '01', frqmi: '30' });
      const before = (await current('S2')).jobschid;
      const id = await save(changed);
      assert.notEqual(id, before);
      const row = await current('S2');
      assert.deepEqual([row.jobschid, row.schflg], [id, 'Y']);
      assert.deepEqual(row.nxtRunDt, expectedNext(changed));
      assert.equal(row.nxtRunSig, signatureOf(row, ZONE));
    });

    test('saving unchanged fields returns the same id and changes nothing', async () => {
      await flow('S3');
      const id = await save(input('S3'));
      await setScheduleEnabled(t.dialect, 'S3', true, ZONE);
      const before = await rows('S3');
      assert.equal(await save(input('S3')), id);
      assert.deepEqual(await rows('S3'), before);
    });

    test('a new version keeps the parent link and SCHFLG, and its children follow it', async () => {
      await flow('P', 'M', 'C');
      const parent = await save(input('P'));
      const old = await save(input('M'));
      await save(input('C'));
      await linkDependency(t.dialect, 'M', 'P', ZONE);
      await linkDependency(t.dialect, 'C', 'M', ZONE);
      await setScheduleEnabled(t.dialect, 'M', true, ZONE);
      const id = await save(input('M', { frqmi: '45' }));
      assert.notEqual(id, old);
      const m = await current('M');
      assert.deepEqual({ dpnd: m.dpndJobschid, schflg: m.schflg, next: m.nxtRunDt }, { dpnd: parent, schflg: 'Y', next: null }, 'a child runs after its parent, not on its own');
      assert.equal((await current('C')).dpndJobschid, id);
      assert.equal((await readCurrentSchedule(t.dialect, 'C'))!.parent, 'M');
    });

    test('refusals carry the package message: validation order, the missing flow (rule 10), malformed dates', async () => {
      await flow('R1');
      assert.equal(await refused(save(input('R1', { frqcd: 'XX', frqhh: '99' }))), 'Invalid frequency code (Valid: ID,DL,WK,FN,MN,HY,YR).');
      assert.equal(await refused(save(input('R1', { frqmi: '60' }))), 'Invalid frequency minute (valid: 0 .. 59).');
      assert.equal(await refused(save(input('R1', { strtdt: null }))), 'Schedule start date must be provided.');
      assert.equal(await refused(save(input('R1', { strtdt: '2020-01-01' }))), 'Schedule start date must not be in past.');
      assert.equal(await refused(save(input('R1', { enddt: start }))), 'Schedule start date must be before schedule end date.');
      assert.equal(await refused(save(input('NOFLOW'))), 'No active job flow found for mapping NOFLOW.');
      assert.equal(await refused(save(input('R1', { strtdt: '2027-02-30' }))), 'Invalid schedule start date (expected YYYY-MM-DD or YYYY-MM-DDTHH:mm[:ss]).');
      assert.equal(await refused(save(input('R1', { enddt: '31/12/2030' }))), 'Invalid schedule end date (expected YYYY-MM-DD).');
      assert.deepEqual(await rows('R1'), [], 'nothing written');
    });

    test('an intraday "every N minutes" schedule (FRQHH -1) starts at STRTDT', async () => {
      await flow('I1');
      const i = input('I1', { frqcd: 'ID', frqdd: null, frqhh: '-1', frqmi: '15' });
      await save(i);
      await setScheduleEnabled(t.dialect, 'I1', true, ZONE);
      const row = await current('I1');
      assert.deepEqual(row.nxtRunDt, expectedNext(i));
      assert.equal(DateTime.fromJSDate(row.nxtRunDt!, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm'), `${start} 00:00`);
    });
  });

  describe('setScheduleEnabled', () => {
    test('disable clears the next run, enable computes it again; enabling twice changes nothing', async () => {
      await flow('E1');
      const i = input('E1');
      await save(i);
      await setScheduleEnabled(t.dialect, 'E1', true, ZONE);
      await setScheduleEnabled(t.dialect, 'E1', false, ZONE);
      let row = await current('E1');
      assert.deepEqual([row.schflg, row.nxtRunDt, row.nxtRunSig], ['N', null, null]);
      await setScheduleEnabled(t.dialect, 'E1', true, ZONE);
      row = await current('E1');
      assert.deepEqual([row.schflg, row.nxtRunDt], ['Y', expectedNext(i)]);
      const before = await rows('E1');
      await setScheduleEnabled(t.dialect, 'E1', true, ZONE);
      assert.deepEqual(await rows('E1'), before);
    });

    test('an unknown MAPREF is an error, not a silent success', async () => {
      assert.equal(await refused(setScheduleEnabled(t.dialect, 'NOPE', true, ZONE)), 'No schedule found for mapping NOPE.');
      assert.equal(await refused(setScheduleEnabled(t.dialect, ' ', false, ZONE)), 'Mapping reference not provided.');
    });
  });

  describe('linkDependency', () => {
    test('link: the child loses its own next run; unlink: an enabled child gets it back', async () => {
      await flow('A', 'B');
      await save(input('A'));
      const b = input('B', { frqcd: 'DL', frqdd: null });
      await save(b);
      await setScheduleEnabled(t.dialect, 'B', true, ZONE);
      await linkDependency(t.dialect, 'B', 'A', ZONE);
      let row = await current('B');
      assert.deepEqual([row.dpndJobschid, row.nxtRunDt], [(await current('A')).jobschid, null]);
      await linkDependency(t.dialect, 'B', null, ZONE);
      row = await current('B');
      assert.deepEqual([row.dpndJobschid, row.nxtRunDt], [null, expectedNext(b)]);
    });

    test('cycles, self-links and unknown MAPREFs are refused with the package message', async () => {
      await flow('A', 'B', 'C');
      for (const m of ['A', 'B', 'C']) await save(input(m));
      await linkDependency(t.dialect, 'B', 'A', ZONE);
      await linkDependency(t.dialect, 'C', 'B', ZONE);
      assert.equal(
        await refused(linkDependency(t.dialect, 'A', 'C', ZONE)),
        'Dependency refused: C already depends on A (directly or through other jobs), so A cannot depend on C.',
      );
      assert.equal(await refused(linkDependency(t.dialect, 'A', 'A', ZONE)), 'A mapping cannot depend on itself (A).');
      assert.equal(await refused(linkDependency(t.dialect, 'A', 'NOPE', ZONE)), 'No schedule found for mapping NOPE.');
      assert.equal((await current('A')).dpndJobschid, null);
    });
  });

  test('listSchedules: current rows only, by MAPREF, with the parent MAPREF, UTC instants and the zone', async () => {
    await flow('L1', 'L2');
    await save(input('L1'));
    await save(input('L1', { frqhh: '10' }));
    const l2 = input('L2', { frqcd: 'MN', frqdd: '31', frqhh: '01', frqmi: '30', strtdt: `${start} 06:00:00`, enddt: '2099-12-31' });
    await save(l2);
    await setScheduleEnabled(t.dialect, 'L2', true, ZONE);
    await linkDependency(t.dialect, 'L1', 'L2', ZONE);
    const lastRun = new Date('2026-01-02T03:04:00Z');
    await db().updateTable('dwjobsch').set({ lstRunDt: lastRun }).where('mapref', '=', 'L2').execute();

    const list = await listSchedules(t.dialect, ZONE);
    assert.equal(list.zone, ZONE);
    assert.deepEqual(list.schedules, [
      {
        mapref: 'L1', jobschid: (await current('L1')).jobschid, frqcd: 'WK', frqdd: 'MON', frqhh: '10', frqmi: '30',
        strtdt: start, enddt: null, enabled: false, parent: 'L2', nxtRunDt: null, lstRunDt: null,
      },
      {
        mapref: 'L2', jobschid: (await current('L2')).jobschid, frqcd: 'MN', frqdd: '31', frqhh: '01', frqmi: '30',
        strtdt: `${start} 06:00:00`, enddt: '2099-12-31', enabled: true, parent: null, nxtRunDt: expectedNext(l2), lstRunDt: lastRun,
      },
    ]);
    assert.equal(await readCurrentSchedule(t.dialect, 'NOPE'), null);
  });

  describe('two connections saving the same MAPREF at once', () => {
    test('both saves wait on the current row, then run one after the other: exactly one current row, its next run written', async () => {
      await flow('RACE');
      const first = await save(input('RACE'));
      await setScheduleEnabled(t.dialect, 'RACE', true, ZONE);
      const [a, b] = ['dwprc-race-a', 'dwprc-race-b'].map((applicationName) => new PostgresDialect({ url: t.url, schema: null, tablePrefix: 'DW', poolMax: 2, applicationName }));
      const holder = new pg.Client({ connectionString: t.url });
      await holder.connect();
      try {
        // Hold the current row, so that both saves are inside the package, waiting for it, at once.
        await holder.query('begin');
        await holder.query(`select jobschid from dwjobsch where mapref = 'RACE' and curflg = 'Y' for update`);
        const saveA = input('RACE', { frqmi: '10' });
        const saveB = input('RACE', { frqmi: '20' });
        const pending = Promise.allSettled([save(saveA, a!), save(saveB, b!)]);
        await waitFor(async () => {
          const { rows: waiting } = await sql<{ n: number }>`
            select count(*)::int as n from pg_stat_activity
             where application_name in ('dwprc-race-a', 'dwprc-race-b') and wait_event_type = 'Lock'`.execute(db());
          return waiting[0]!.n === 2;
        }, 'both saves waiting for the row lock');
        await holder.query('commit');
        const [resultA, resultB] = await pending;
        assert.equal(resultA.status, 'fulfilled', String((resultA as PromiseRejectedResult).reason));
        assert.equal(resultB.status, 'fulfilled', String((resultB as PromiseRejectedResult).reason));
        const [idA, idB] = [(resultA as PromiseFulfilledResult<number>).value, (resultB as PromiseFulfilledResult<number>).value];

        const all = await rows('RACE');
        const currentRows = all.filter((r) => r.curflg === 'Y');
        assert.equal(currentRows.length, 1, 'exactly one current row');
        const winner = currentRows[0]!;
        assert.deepEqual(all.map((r) => r.jobschid).sort((x, y) => x - y), [first, idA, idB].sort((x, y) => x - y), 'each save made its own version');
        assert.equal(winner.jobschid, Math.max(idA, idB), 'the later save versioned on top of the earlier one');
        const winnerInput = winner.jobschid === idA ? saveA : saveB;
        assert.equal(winner.frqmi, winnerInput.frqmi);
        assert.equal(winner.schflg, 'Y');
        assert.deepEqual(winner.nxtRunDt, expectedNext(winnerInput));
      } finally {
        await holder.end();
        await Promise.all([a!.close(), b!.close()]);
      }
    });
  });
});
