import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../../src/config.js';
import { migrate, migrationFiles } from '../../src/db/migrate.js';
import { runDoctor } from '../../src/observe/doctor.js';
import { packageErrorMessage } from '../../src/db/packageError.js';
import { parseRequest } from '../../src/queue/parseRequest.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testConfig } from '../support/testConfig.js';

/**
 * The schedule operations of COMPAT.md ("Operations the UI performs") as the pkgdwprc functions
 * of sql/postgres/031_pkgdwprc_schedule.sql, the twin of the Oracle package.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Args = [mapref: string | null, frqcd: string | null, frqdd: string | null, frqhh: string | null, frqmi: string | null, strtdt: string | null, enddt: string | null];

/** The user's text of a refusal; fails when the call succeeds or fails otherwise. */
async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    assert.equal((error as { code?: string }).code, 'P0099', (error as Error).message);
    return packageErrorMessage(error)!;
  }
  return assert.fail('expected a refusal (P0099)');
}

describe('pkgdwprc schedule operations (PostgreSQL twin of PKGDWPRC)', () => {
  let t: TestDatabase;
  let today: string;
  let yesterday: string;
  let tomorrow: string;
  let nextFlowId = 1;
  const db = () => t.dialect.db;

  before(async () => {
    t = await createTestDatabase();
    const { rows } = await sql<{ a: string; b: string; c: string }>`select current_date::text as a, (current_date - 1)::text as b, (current_date + 1)::text as c`.execute(db());
    ({ a: today, b: yesterday, c: tomorrow } = rows[0]!);
  });
  after(() => t.drop());
  beforeEach(async () => {
    await sql`truncate dwjobsch, dwjobflw, dwprcreq`.execute(db());
  });

  async function flow(mapref: string, flags: { curflg?: string; stflg?: string } = {}): Promise<number> {
    const id = nextFlowId++;
    await db()
      .insertInto('dwjobflw')
      .values({ jobflwid: id, mapref, curflg: flags.curflg ?? 'Y', stflg: flags.stflg ?? 'A', dwlogic: 'DO $$ BEGIN END $$' })
      .execute();
    return id;
  }

  const saveCall = (...a: Args) =>
    sql<{ id: number }>`select pkgdwprc.create_job_schedule(${a[0]}, ${a[1]}, ${a[2]}, ${a[3]}, ${a[4]}, ${a[5]}::timestamp, ${a[6]}::timestamp) as id`.execute(db());
  const save = async (...a: Args) => (await saveCall(...a)).rows[0]!.id;
  const enable = (mapref: string | null, action: string | null) => sql`select pkgdwprc.enable_disable_schedule(${mapref}, ${action})`.execute(db());
  const depend = (parent: string | null, child: string | null) => sql`select pkgdwprc.create_job_dependency(${parent}, ${child})`.execute(db());
  const rows = (mapref: string) => db().selectFrom('dwjobsch').selectAll().where('mapref', '=', mapref).orderBy('jobschid').execute();
  const current = (mapref: string) => db().selectFrom('dwjobsch').selectAll().where('mapref', '=', mapref).where('curflg', '=', 'Y').executeTakeFirstOrThrow();
  const count = async () => Number((await db().selectFrom('dwjobsch').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  describe('create_job_schedule: the checks of COMPAT.md, in order, first failure wins', () => {
    const M = 'M1';
    // Each case also breaks every later rule it can, so only the order decides the message.
    const cases: [string, () => Args, string][] = [
      ['no MAPREF', () => [null, 'XX', null, '99', '99', null, null], 'Mapping reference must be provided.'],
      ['a blank MAPREF', () => ['   ', 'XX', null, '99', '99', null, null], 'Mapping reference must be provided.'],
      ['an empty MAPREF', () => ['', 'DL', null, '05', '30', today, null], 'Mapping reference must be provided.'],
      ['an unknown frequency code', () => [M, 'XX', 'FOO', '99', '99', null, null], 'Invalid frequency code (Valid: ID,DL,WK,FN,MN,HY,YR).'],
      ['no frequency code', () => [M, null, null, '05', '30', today, null], 'Invalid frequency code (Valid: ID,DL,WK,FN,MN,HY,YR).'],
      ['a lower-case frequency code', () => [M, 'dl', null, '05', '30', today, null], 'Invalid frequency code (Valid: ID,DL,WK,FN,MN,HY,YR).'],
      ['a weekly day that is no weekday', () => [M, 'WK', 'MO', '99', '99', null, null], 'Invalid Frequency Day. For Weekly/Fortnightly frequency, frequency day can be any one of "MON,TUE,WED,THU,FRI,SAT,SUN".'],
      ['a fortnightly schedule without a day', () => [M, 'FN', null, '05', '30', today, null], 'Invalid Frequency Day. For Weekly/Fortnightly frequency, frequency day can be any one of "MON,TUE,WED,THU,FRI,SAT,SUN".'],
      ['a lower-case weekday', () => [M, 'WK', 'mon', '05', '30', today, null], 'Invalid Frequency Day. For Weekly/Fortnightly frequency, frequency day can be any one of "MON,TUE,WED,THU,FRI,SAT,SUN".'],
      ['a monthly day 32', () => [M, 'MN', '32', '99', '99', null, null], 'Invalid frequency day (Valid: 1 .. 31).'],
      ['a half-yearly day 0', () => [M, 'HY', '0', '05', '30', today, null], 'Invalid frequency day (Valid: 1 .. 31).'],
      ['a yearly day that is no number', () => [M, 'YR', 'x', '05', '30', today, null], 'Invalid frequency day (Valid: 1 .. 31).'],
      ['a monthly schedule without a day', () => [M, 'MN', null, '05', '30', today, null], 'Invalid frequency day (Valid: 1 .. 31).'],
      ['a day with a decimal point', () => [M, 'MN', '1.5', '05', '30', today, null], 'Invalid frequency day (Valid: 1 .. 31).'],
      ['a day with a blank', () => [M, 'MN', ' 5', '05', '30', today, null], 'Invalid frequency day (Valid: 1 .. 31).'],
      ['a day with a sign', () => [M, 'MN', '+5', '05', '30', today, null], 'Invalid frequency day (Valid: 1 .. 31).'],
      ['hour 24', () => [M, 'DL', null, '24', '99', null, null], 'Invalid frequency hour (valid: 0 .. 23).'],
      ['hour -1 outside intraday', () => [M, 'DL', null, '-1', '30', today, null], 'Invalid frequency hour (valid: 0 .. 23).'],
      ['an hour that is no number', () => [M, 'WK', 'MON', 'ab', '30', today, null], 'Invalid frequency hour (valid: 0 .. 23).'],
      ['no hour', () => [M, 'DL', null, null, '30', today, null], 'Invalid frequency hour (valid: 0 .. 23).'],
      ['no hour for intraday', () => [M, 'ID', null, null, '30', today, null], 'Invalid frequency hour (valid: 0 .. 23).'],
      ['minute 60', () => [M, 'DL', null, '05', '60', null, null], 'Invalid frequency minute (valid: 0 .. 59).'],
      ['no minute', () => [M, 'MN', '15', '05', null, today, null], 'Invalid frequency minute (valid: 0 .. 59).'],
      ['a minute that is no number', () => [M, 'DL', null, '05', 'x', today, null], 'Invalid frequency minute (valid: 0 .. 59).'],
      ['every 0 minutes (intraday, hour -1)', () => [M, 'ID', null, '-1', '0', today, null], 'Invalid frequency minute (valid: 0 .. 59).'],
      ['every 60 minutes (intraday, hour -1)', () => [M, 'ID', null, '-1', '60', today, null], 'Invalid frequency minute (valid: 0 .. 59).'],
      ['no start date', () => [M, 'DL', null, '05', '30', null, yesterday], 'Schedule start date must be provided.'],
      ['a start date in the past', () => [M, 'DL', null, '05', '30', yesterday, yesterday], 'Schedule start date must not be in past.'],
      ['an end date equal to the start date', () => [M, 'DL', null, '05', '30', today, today], 'Schedule start date must be before schedule end date.'],
      ['an end date before the start date', () => [M, 'DL', null, '05', '30', tomorrow, today], 'Schedule start date must be before schedule end date.'],
      ['a MAPREF without a job flow', () => ['NOFLOW', 'DL', null, '05', '30', today, null], 'No active job flow found for mapping NOFLOW.'],
    ];
    for (const [name, args, message] of cases) {
      test(name, async () => {
        await flow(M);
        assert.equal(await refusal(saveCall(...args())), message);
        assert.equal(await count(), 0, 'a refused save writes nothing');
      });
    }

    test('a flow that is not active, or not current, is no job flow', async () => {
      await flow('OLD', { curflg: 'N' });
      await flow('INACTIVE', { stflg: 'I' });
      assert.equal(await refusal(saveCall('OLD', 'DL', null, '05', '30', today, null)), 'No active job flow found for mapping OLD.');
      assert.equal(await refusal(saveCall('INACTIVE', 'DL', null, '05', '30', today, null)), 'No active job flow found for mapping INACTIVE.');
    });

    test('schedule_error gives the same first broken rule without saving, or null', async () => {
      const check = (a: Args) =>
        sql<{ m: string | null }>`select pkgdwprc.schedule_error(${a[0]}, ${a[1]}, ${a[2]}, ${a[3]}, ${a[4]}, ${a[5]}::timestamp, ${a[6]}::timestamp) as m`.execute(db()).then((r) => r.rows[0]!.m);
      assert.equal(await check([M, 'MN', '32', '99', '99', null, null]), 'Invalid frequency day (Valid: 1 .. 31).');
      assert.equal(await check([M, 'DL', null, '05', '30', today, null]), null);
    });

    test('accepted values are stored exactly as entered (leading zeros, ignored days, intraday)', async () => {
      const accepted: Args[] = [
        ['A1', 'DL', 'ABC', '00', '00', today, null],
        ['A2', 'ID', null, '-1', '15', today, null],
        ['A3', 'ID', null, '07', '59', today, tomorrow],
        ['A4', 'WK', 'SUN', '23', '05', tomorrow, null],
        ['A5', 'FN', 'MON', '5', '7', today, null],
        ['A6', 'MN', '031', '01', '30', today, null],
        ['A7', 'HY', '1', '12', '00', today, null],
        ['A8', 'YR', '01', '6', '45', today, null],
      ];
      for (const a of accepted) {
        await flow(a[0]!);
        await save(...a);
        const row = await current(a[0]!);
        assert.deepEqual([row.frqcd, row.frqdd, row.frqhh, row.frqmi], [a[1], a[2], a[3], a[4]], a[0]!);
      }
    });
  });

  describe('create_job_schedule: saving and versioning', () => {
    test('a first save inserts a current, active, not yet enabled row of the current flow', async () => {
      const jobflwid = await flow('S1');
      const id = await save('S1', 'WK', 'MON', '06', '15', today, tomorrow);
      const row = await current('S1');
      assert.equal(row.jobschid, id);
      assert.deepEqual(
        { jobflwid: row.jobflwid, stflg: row.stflg, curflg: row.curflg, schflg: row.schflg, dpnd: row.dpndJobschid, next: row.nxtRunDt, sig: row.nxtRunSig },
        { jobflwid, stflg: 'A', curflg: 'Y', schflg: 'N', dpnd: null, next: null, sig: null },
      );
      assert.equal(row.strtdt!.toISOString().slice(0, 10), today);
      assert.equal(row.enddt!.toISOString().slice(0, 10), tomorrow);
      assert.ok(row.reccrdt instanceof Date && row.recupdt instanceof Date);
    });

    test('saving unchanged values returns the same id and writes nothing (NULL-safe comparison)', async () => {
      await flow('S2');
      const id = await save('S2', 'DL', null, '05', '30', today, null);
      const before = await rows('S2');
      assert.equal(await save('S2', 'DL', null, '05', '30', today, null), id);
      assert.deepEqual(await rows('S2'), before);
    });

    test('a new flow version with an unchanged schedule keeps the row and id, which follows the flow', async () => {
      await flow('S3');
      const id = await save('S3', 'DL', null, '05', '30', today, null);
      await db().updateTable('dwjobflw').set({ curflg: 'N' }).where('mapref', '=', 'S3').execute();
      const newFlow = await flow('S3');
      assert.equal(await save('S3', 'DL', null, '05', '30', today, null), id);
      assert.equal((await rows('S3')).length, 1);
      assert.equal((await current('S3')).jobflwid, newFlow);
    });

    test('a NULL turning into a value is a change (end date added)', async () => {
      await flow('S4');
      const id = await save('S4', 'DL', null, '05', '30', today, null);
      const changed = await save('S4', 'DL', null, '05', '30', today, tomorrow);
      assert.notEqual(changed, id);
      assert.equal((await current('S4')).jobschid, changed);
    });

    test('a change retires the old row and inserts a new current one: SCHFLG and parent kept, children re-pointed', async () => {
      for (const m of ['P', 'M', 'C']) await flow(m);
      const parent = await save('P', 'DL', null, '01', '00', today, null);
      const old = await save('M', 'DL', null, '02', '00', today, null);
      await save('C', 'DL', null, '03', '00', today, null);
      await depend('P', 'M');
      await depend('M', 'C');
      await enable('M', 'E');
      const lastRun = new Date('2024-03-04T05:06:00Z');
      await db().updateTable('dwjobsch').set({ nxtRunDt: new Date('2030-01-01T02:00:00Z'), nxtRunSig: 'DL||02|00', lstRunDt: lastRun }).where('jobschid', '=', old).execute();

      const id = await save('M', 'DL', null, '02', '30', today, null);
      assert.notEqual(id, old);
      const [retired, fresh] = await rows('M');
      assert.deepEqual({ id: retired!.jobschid, curflg: retired!.curflg, minute: retired!.frqmi }, { id: old, curflg: 'N', minute: '00' });
      assert.ok(retired!.recupdt instanceof Date);
      assert.deepEqual(
        { id: fresh!.jobschid, curflg: fresh!.curflg, stflg: fresh!.stflg, schflg: fresh!.schflg, dpnd: fresh!.dpndJobschid, minute: fresh!.frqmi },
        { id, curflg: 'Y', stflg: 'A', schflg: 'Y', dpnd: parent, minute: '30' },
      );
      assert.equal(fresh!.nxtRunDt, null, 'the scheduler computes the first occurrence of the new rule');
      assert.equal(fresh!.nxtRunSig, null);
      assert.deepEqual(fresh!.lstRunDt, lastRun, 'the last firing belongs to the MAPREF');
      assert.equal((await current('C')).dpndJobschid, id, 'the child now hangs off the new row');
    });

    test('another unique key failing is an error, not a lost race', async () => {
      await flow('S5');
      const id = await save('S5', 'DL', null, '05', '30', today, null);
      await sql`select setval('dwjobschseq', ${id - 1})`.execute(db());
      await assert.rejects(saveCall('S5', 'DL', null, '05', '31', today, null), (e: { code?: string }) => e.code === '23505');
      assert.equal((await current('S5')).jobschid, id, 'nothing changed');
    });
  });

  describe('enable_disable_schedule', () => {
    test('refusals: MAPREF first, then the action, then an unknown MAPREF', async () => {
      assert.equal(await refusal(enable(null, 'X')), 'Mapping reference not provided.');
      assert.equal(await refusal(enable(' ', 'E')), 'Mapping reference not provided.');
      for (const action of [null, '', 'X', 'EE']) assert.equal(await refusal(enable('M', action)), 'Action must be provided, valid values are E or D.');
      assert.equal(await refusal(enable('NOPE', 'E')), 'No schedule found for mapping NOPE.');
    });

    test('E sets SCHFLG Y and D sets N on the current row; each change clears the next firing', async () => {
      await flow('E1');
      const first = await save('E1', 'DL', null, '05', '30', today, null);
      const id = await save('E1', 'DL', null, '05', '31', today, null);
      const later = new Date('2030-01-01T05:30:00Z');
      await db().updateTable('dwjobsch').set({ nxtRunDt: later, nxtRunSig: 'x' }).where('jobschid', '=', id).execute();
      await enable('E1', 'E');
      let row = await current('E1');
      assert.deepEqual([row.schflg, row.nxtRunDt, row.nxtRunSig], ['Y', null, null]);
      await db().updateTable('dwjobsch').set({ nxtRunDt: later }).where('jobschid', '=', id).execute();
      await enable('E1', 'D');
      row = await current('E1');
      assert.deepEqual([row.schflg, row.nxtRunDt], ['N', null]);
      const old = (await rows('E1')).find((r) => r.jobschid === first)!;
      assert.equal(old.schflg, 'N', 'retired rows are left alone');
    });

    test('enabling what is enabled changes nothing; the action is case-insensitive', async () => {
      await flow('E2');
      await save('E2', 'DL', null, '05', '30', today, null);
      await enable('E2', 'e');
      const next = new Date('2030-01-01T05:30:00Z');
      await db().updateTable('dwjobsch').set({ nxtRunDt: next }).where('mapref', '=', 'E2').execute();
      const before = await current('E2');
      await enable('E2', 'E');
      assert.deepEqual(await current('E2'), before);
    });
  });

  describe('create_job_dependency', () => {
    async function schedules(...maprefs: string[]) {
      for (const m of maprefs) {
        await flow(m);
        await save(m, 'DL', null, '05', '30', today, null);
      }
    }

    test('links the child to the parent schedule and clears the child next firing', async () => {
      await schedules('A', 'B');
      await db().updateTable('dwjobsch').set({ nxtRunDt: new Date('2030-01-01T00:00:00Z') }).where('mapref', '=', 'B').execute();
      await depend('A', 'B');
      const child = await current('B');
      assert.equal(child.dpndJobschid, (await current('A')).jobschid);
      assert.equal(child.nxtRunDt, null);
    });

    test('refusals: no child, a self-link, an unknown child or parent', async () => {
      await schedules('A');
      assert.equal(await refusal(depend('A', null)), 'Child mapping reference must be provided.');
      assert.equal(await refusal(depend('A', ' ')), 'Child mapping reference must be provided.');
      assert.equal(await refusal(depend('A', 'A')), 'A mapping cannot depend on itself (A).');
      assert.equal(await refusal(depend('A', 'NOPE')), 'No schedule found for mapping NOPE.');
      assert.equal(await refusal(depend('NOPE', 'A')), 'No schedule found for mapping NOPE.');
      assert.equal((await current('A')).dpndJobschid, null);
    });

    test('a link that would close a cycle is refused (A→B→C, then C→A), directly or not', async () => {
      await schedules('A', 'B', 'C');
      await depend('A', 'B');
      await depend('B', 'C');
      assert.equal(
        await refusal(depend('C', 'A')),
        'Dependency refused: C already depends on A (directly or through other jobs), so A cannot depend on C.',
      );
      assert.equal(await refusal(depend('B', 'A')), 'Dependency refused: B already depends on A (directly or through other jobs), so A cannot depend on B.');
      assert.equal((await current('A')).dpndJobschid, null);
    });

    test('a chain through a re-saved parent is still followed', async () => {
      await schedules('A', 'B', 'C');
      await depend('A', 'B');
      await depend('B', 'C');
      await save('B', 'DL', null, '06', '00', today, null);
      assert.match(await refusal(depend('C', 'A')), /^Dependency refused: C already depends on A/);
    });

    test('an empty parent removes the link', async () => {
      await schedules('A', 'B');
      await depend('A', 'B');
      await depend(null, 'B');
      assert.equal((await current('B')).dpndJobschid, null);
      await depend('A', 'B');
      await depend('', 'B');
      assert.equal((await current('B')).dpndJobschid, null);
    });
  });

  describe('run now, history, stop: DWPRCREQ rows the workers parse', () => {
    const call = (text: ReturnType<typeof sql<{ id: string }>>) => text.execute(db()).then((r) => r.rows[0]!.id);
    const request = (id: string) => db().selectFrom('dwprcreq').selectAll().where('requestId', '=', id).executeTakeFirstOrThrow();
    const parsed = async (id: string) => {
      const row = await request(id);
      const result = parseRequest({ ...row, stopRequested: row.stopRequested });
      assert.ok(result.ok, result.ok ? '' : result.reason);
      return result.request;
    };

    test('schedule_job_immediate queues an IMMEDIATE request with a UUID', async () => {
      const id = await call(sql`select pkgdwprc.schedule_job_immediate('M1') as id`);
      assert.match(id, UUID);
      const row = await request(id);
      assert.deepEqual(
        { mapref: row.mapref, type: row.requestType, status: row.status, payload: JSON.parse(row.payload!), attempts: row.attempts, stop: row.stopRequested },
        { mapref: 'M1', type: 'IMMEDIATE', status: 'NEW', payload: {}, attempts: 0, stop: 'N' },
      );
      assert.ok(row.requestedAt instanceof Date);
      assert.equal((await parsed(id)).type, 'IMMEDIATE');
      assert.equal(await refusal(sql`select pkgdwprc.schedule_job_immediate(null)`.execute(db())), 'Mapping reference must be provided.');
    });

    test('schedule_history_job_immediate queues a HISTORY request with the dates and the truncate flag', async () => {
      const id = await call(sql`select pkgdwprc.schedule_history_job_immediate('M1', '2024-01-01', '2024-01-31', 'y') as id`);
      const row = await request(id);
      assert.equal(row.requestType, 'HISTORY');
      assert.deepEqual(JSON.parse(row.payload!), { start_date: '2024-01-01', end_date: '2024-01-31', truncate_flag: 'Y' });
      assert.deepEqual(await parsed(id), { ...(await parsed(id)), startDate: '2024-01-01', endDate: '2024-01-31', truncate: true });

      const defaults = await call(sql`select pkgdwprc.schedule_history_job_immediate('M1', null, null) as id`);
      assert.deepEqual(JSON.parse((await request(defaults)).payload!), { truncate_flag: 'N' }, 'missing dates are left to the worker');
    });

    test('history refusals', async () => {
      const history = (mapref: string | null, from: string | null, to: string | null, flag: string | null) =>
        sql`select pkgdwprc.schedule_history_job_immediate(${mapref}, ${from}::date, ${to}::date, ${flag})`.execute(db());
      assert.equal(await refusal(history(null, '2024-01-01', '2024-01-31', 'N')), 'Mapping reference must be provided.');
      assert.equal(await refusal(history('M1', '2024-02-01', '2024-01-31', 'X')), 'Truncate flag must be Y or N.');
      assert.equal(await refusal(history('M1', '2024-02-01', '2024-01-31', 'N')), 'History start date must not be after end date.');
      assert.equal(await db().selectFrom('dwprcreq').select('requestId').execute().then((r) => r.length), 0);
    });

    test('stop_running_job queues a STOP request: force (default Y, as the original) and the run start', async () => {
      const id = await call(sql`select pkgdwprc.stop_running_job('M1', '2024-05-06 07:08:09.123', 'n') as id`);
      const row = await request(id);
      assert.equal(row.requestType, 'STOP');
      assert.deepEqual(JSON.parse(row.payload!), { force: 'N', start_timestamp: '2024-05-06 07:08:09' });
      const stop = await parsed(id);
      assert.ok(stop.type === 'STOP' && !stop.force && stop.startTimestamp === '2024-05-06 07:08:09');

      const any = await call(sql`select pkgdwprc.stop_running_job('M1', null) as id`);
      assert.deepEqual(JSON.parse((await request(any)).payload!), { force: 'Y' });
      assert.equal(await refusal(sql`select pkgdwprc.stop_running_job('M1', null, 'X')`.execute(db())), 'Force flag must be Y or N.');
      assert.equal(await refusal(sql`select pkgdwprc.stop_running_job('', null)`.execute(db())), 'Mapping reference must be provided.');
    });
  });

  describe('two sessions saving the same MAPREF at once end with exactly one current row', () => {
    let a: pg.Client;
    let b: pg.Client;
    beforeEach(async () => {
      a = new pg.Client({ connectionString: t.url });
      b = new pg.Client({ connectionString: t.url });
      await Promise.all([a.connect(), b.connect()]);
    });
    const close = async () => Promise.all([a.end(), b.end()]);

    const saveOn = (client: pg.Client, mapref: string, minute: string) =>
      client.query<{ id: string }>(`select pkgdwprc.create_job_schedule($1, 'DL', null, '05', $2, $3::timestamp, null) as id`, [mapref, minute, today]).then((r) => Number(r.rows[0]!.id));

    /** Waits until `client`'s backend is blocked on a lock: a condition, with a deadline. */
    async function blocked(client: pg.Client) {
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      return rows[0]!.pid;
    }
    async function waitForLock(pid: number) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await sql<{ w: string | null }>`select wait_event_type as w from pg_stat_activity where pid = ${pid}`.execute(db());
        if (rows[0]?.w === 'Lock') return;
        if (Date.now() > deadline) assert.fail(`session ${pid} never waited for a lock`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    /** A saves and holds its transaction open; B's save must wait for it; A commits; B finishes. */
    async function race(mapref: string, minuteA: string, minuteB: string) {
      const pidB = await blocked(b);
      await a.query('begin');
      await b.query('begin');
      const idA = await saveOn(a, mapref, minuteA);
      const pending = saveOn(b, mapref, minuteB);
      await waitForLock(pidB);
      await a.query('commit');
      const idB = await pending;
      await b.query('commit');
      return { idA, idB };
    }

    test('the first save of a new MAPREF, different values: the later save wins, on top of the first', async () => {
      try {
        await flow('RACE1');
        const { idA, idB } = await race('RACE1', '10', '20');
        const all = await rows('RACE1');
        assert.deepEqual(all.map((r) => [r.jobschid, r.curflg, r.frqmi]), [[idA, 'N', '10'], [idB, 'Y', '20']]);
      } finally {
        await close();
      }
    });

    test('the first save of a new MAPREF, same values: both get the one row', async () => {
      try {
        await flow('RACE2');
        const { idA, idB } = await race('RACE2', '10', '10');
        assert.equal(idB, idA);
        assert.deepEqual((await rows('RACE2')).map((r) => [r.jobschid, r.curflg]), [[idA, 'Y']]);
      } finally {
        await close();
      }
    });

    test('changing an existing schedule: the waiting save replaces the row the other one committed', async () => {
      try {
        await flow('RACE3');
        const first = await save('RACE3', 'DL', null, '05', '00', today, null);
        const { idA, idB } = await race('RACE3', '10', '20');
        const all = await rows('RACE3');
        assert.deepEqual(all.map((r) => [r.jobschid, r.curflg, r.frqmi]), [[first, 'N', '00'], [idA, 'N', '10'], [idB, 'Y', '20']]);
      } finally {
        await close();
      }
    });
  });

  test('packageErrorMessage reads both dialects and ignores other errors', () => {
    assert.equal(packageErrorMessage({ code: 'P0099', message: 'PKGDWPRC::CREATE_JOB_SCHEDULE::validate::No active job flow found for mapping A::B.' }), 'No active job flow found for mapping A::B.');
    const oracle = "ORA-20099: PKGDWPRC - ENABLE_DISABLE_SCHEDULE:-\nvalidate : Action must be provided, valid values are E or D.\n Err:ORA-06502: PL/SQL: numeric or value error\nORA-06512: at \"DW.PKGERR\", line 12";
    assert.equal(packageErrorMessage({ errorNum: 20099, message: oracle }), 'Action must be provided, valid values are E or D.');
    assert.equal(packageErrorMessage({ code: '23505', message: 'duplicate key' }), null);
    assert.equal(packageErrorMessage(new Error('ORA-00942: table or view does not exist')), null);
    assert.equal(packageErrorMessage('text'), null);
  });
});

describe('one current schedule per MAPREF over data that already breaks it', () => {
  test('the unique index is skipped (the migration still succeeds), doctor says so, a save cleans the MAPREF up', async () => {
    const t = await createTestDatabase({ migrate: false });
    const config: Config = { ...testConfig(t.url), timeZone: 'UTC', poolMax: 2 };
    try {
      const files = await migrationFiles('postgres', 'DW');
      await t.dialect.ensureVersionTable();
      for (const file of files.filter((f) => f.version < 30)) {
        await t.dialect.applyMigration(file, async (db) => {
          await db.insertInto('dwprcver').values({ version: file.version, name: file.name }).execute();
        });
      }
      const db = t.dialect.db;
      await db.insertInto('dwjobflw').values({ jobflwid: 1, mapref: 'DUP', curflg: 'Y', stflg: 'A' }).execute();
      await db.insertInto('dwjobsch').values([
        { jobschid: 101, jobflwid: 1, mapref: 'DUP', frqcd: 'DL', frqhh: '01', frqmi: '00', strtdt: new Date(), curflg: 'Y', schflg: 'Y', stflg: 'A' },
        { jobschid: 102, jobflwid: 1, mapref: 'DUP', frqcd: 'DL', frqhh: '02', frqmi: '00', strtdt: new Date(), curflg: 'Y', schflg: 'Y', stflg: 'A' },
      ]).execute();
      await sql`select setval('dwjobschseq', 200)`.execute(db);

      const result = await migrate(t.dialect, 'DW');
      assert.ok(result.applied.some((m) => m.version === 30));
      const { rows: indexes } = await sql<{ n: number }>`select count(*)::int as n from pg_indexes where indexname = 'dwjobsch_one_current'`.execute(db);
      assert.equal(indexes[0]!.n, 0);

      const doctor = async () => (await runDoctor(t.dialect, config)).checks.find((c) => c.name === 'current schedules')!;
      assert.equal((await doctor()).status, 'warn');
      assert.match((await doctor()).detail, /more than one current DWJOBSCH row \(CURFLG='Y'\) for DUP: .*run sql\/postgres\/030_dwjobsch_one_current\.sql again/);

      const { rows } = await sql<{ id: number }>`select pkgdwprc.create_job_schedule('DUP', 'DL', null, '03', '00', current_date::timestamp, null) as id`.execute(db);
      const current = await db.selectFrom('dwjobsch').select(['jobschid', 'schflg']).where('mapref', '=', 'DUP').where('curflg', '=', 'Y').execute();
      assert.deepEqual(current, [{ jobschid: rows[0]!.id, schflg: 'Y' }]);

      assert.match((await doctor()).detail, /unique index DWJOBSCH_ONE_CURRENT is missing/);
      await sql.raw(files.find((f) => f.version === 30)!.text).execute(db);
      assert.deepEqual(await doctor(), { name: 'current schedules', status: 'ok', detail: 'one per MAPREF (unique index DWJOBSCH_ONE_CURRENT)' });
    } finally {
      await t.drop();
    }
  });
});
