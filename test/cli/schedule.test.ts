import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** `dwprc schedule …` as a user runs it: the built bin/dwprc (npm test builds dist/ first). */

const ZONE = 'Europe/London';
const BAD_CODE = 'dwprc: Invalid frequency code (Valid: ID,DL,WK,FN,MN,HY,YR).\n';

describe('dwprc schedule', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  /** A Monday at least a week ahead, so the start is never in the past and the first run is known. */
  let monday: string;

  before(async () => {
    t = await createTestDatabase();
    env = { DWPRC_DATABASE_URL: t.url, DWPRC_TIMEZONE: ZONE };
    const { rows } = await sql<{ d: string }>`select current_date::text as d`.execute(t.dialect.db);
    const today = DateTime.fromISO(rows[0]!.d);
    monday = today.plus({ days: 7 + ((8 - today.weekday) % 7) }).toISODate()!;
    for (const [i, mapref] of ['SALES', 'STOCK'].entries()) {
      await t.dialect.db.insertInto('dwjobflw').values({ jobflwid: i + 1, mapref, curflg: 'Y', stflg: 'A', dwlogic: 'DO $$ BEGIN END $$' }).execute();
    }
  });
  after(() => t.drop());

  const json = (r: { code: number; stdout: string; stderr: string }) => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  test('set, enable, depend, list: the rows the package wrote, next runs in UTC and in the zone', async () => {
    const saved = json(await runCli(['schedule', 'set', 'SALES', '--frq', 'wk', '--day', 'mon', '--at', '09:30', '--start', monday, '--json'], env));
    assert.deepEqual(
      { zone: saved.zone, mapref: saved.mapref, frq: [saved.frqcd, saved.frqdd, saved.frqhh, saved.frqmi], strtdt: saved.strtdt, enabled: saved.enabled, next: saved.nxtRunDt },
      { zone: ZONE, mapref: 'SALES', frq: ['WK', 'MON', '09', '30'], strtdt: monday, enabled: false, next: null },
    );
    const again = await runCli(['schedule', 'set', 'SALES', '--frq', 'WK', '--day', 'MON', '--hh', '09', '--mi', '30', '--start', monday], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^SALES: JOBSCHID ${saved.jobschid}, WK MON 09:30 from ${monday}; disabled`), 'unchanged: same row');

    const enabled = json(await runCli(['schedule', 'enable', 'SALES', '--json'], env));
    const firstRun = DateTime.fromISO(`${monday}T09:30`, { zone: ZONE });
    assert.equal(enabled.nextRun, firstRun.toISO({ suppressMilliseconds: true }));
    assert.equal(enabled.nxtRunDt, firstRun.toUTC().toISO());

    json(await runCli(['schedule', 'set', 'STOCK', '--frq', 'ID', '--every', '15', '--start', monday, '--json'], env));
    const child = json(await runCli(['schedule', 'depend', 'STOCK', '--on', 'SALES', '--json'], env));
    assert.equal(child.parent, 'SALES');

    const list = json(await runCli(['schedule', 'list', '--json'], env));
    assert.equal(list.zone, ZONE);
    assert.deepEqual(
      list.schedules.map((s: Record<string, unknown>) => [s.mapref, s.frqcd, s.frqhh, s.frqmi, s.enabled, s.parent, s.nextRun]),
      [
        ['SALES', 'WK', '09', '30', true, null, firstRun.toISO({ suppressMilliseconds: true })],
        ['STOCK', 'ID', '-1', '15', false, 'SALES', null],
      ],
    );
    const table = await runCli(['schedule', 'list'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^times in Europe\/London\nMAPREF +JOBSCHID +FREQUENCY +START +END +ENABLED +PARENT +NEXT_RUN +LAST_RUN\n/);
    assert.match(table.stdout, /\nSTOCK +\d+ +ID every 15 min +\S+ +N +SALES\n/);

    const unlinked = json(await runCli(['schedule', 'depend', 'STOCK', '--none', '--json'], env));
    assert.equal(unlinked.parent, null);
    const preview = json(await runCli(['schedule', 'next', 'SALES', '-n', '2', '--json'], env));
    assert.deepEqual(preview, [firstRun, firstRun.plus({ weeks: 1 })].map((d) => d.toISO({ suppressMilliseconds: true })));
  });

  test('refusals: the message of COMPAT.md on one line, exit 1; flag misuse exits 2', async () => {
    const bad = await runCli(['schedule', 'set', 'SALES', '--frq', 'XX', '--at', '09:30', '--start', monday], env);
    assert.deepEqual([bad.code, bad.stderr, bad.stdout], [1, BAD_CODE, '']);
    const unknown = await runCli(['schedule', 'disable', 'NOPE'], env);
    assert.deepEqual([unknown.code, unknown.stderr], [1, 'dwprc: No schedule found for mapping NOPE.\n']);
    const noFlow = await runCli(['schedule', 'set', 'NOFLOW', '--frq', 'DL', '--at', '05:00', '--start', monday], env);
    assert.deepEqual([noFlow.code, noFlow.stderr], [1, 'dwprc: No active job flow found for mapping NOFLOW.\n']);
    const every = await runCli(['schedule', 'set', 'SALES', '--frq', 'DL', '--every', '5', '--start', monday], env);
    assert.deepEqual([every.code, every.stderr], [2, 'dwprc: --every is for --frq ID (every N minutes)\n']);
    const depend = await runCli(['schedule', 'depend', 'STOCK'], env);
    assert.deepEqual([depend.code, depend.stderr], [2, 'dwprc: give either --on PARENT or --none\n']);
  });

  describe('schedule next with no database at all', () => {
    let home: string;
    let noDatabase: Record<string, string | undefined>;
    before(async () => {
      home = await mkdtemp(path.join(tmpdir(), 'dwprc-next-'));
      // No DWPRC_DATABASE_URL: any database access would start the embedded server in DWPRC_HOME.
      noDatabase = { DWPRC_DATABASE_URL: undefined, DWPRC_TIMEZONE: undefined, DWPRC_HOME: path.join(home, 'embedded') };
    });
    after(async () => {
      assert.equal(existsSync(path.join(home, 'embedded')), false, 'no embedded database was created');
      await rm(home, { recursive: true, force: true });
    });

    test('a daily 01:30 London across both DST changes of 2027: the gap runs at 02:00 BST, the repeated hour once', async () => {
      const spring = await runCli(['schedule', 'next', '--frq', 'DL', '--at', '01:30', '--start', '2027-03-27', '--tz', ZONE, '-n', '3', '--json'], noDatabase);
      assert.deepEqual(json(spring), ['2027-03-27T01:30:00+00:00', '2027-03-28T02:00:00+01:00', '2027-03-29T01:30:00+01:00']);
      const autumn = await runCli(
        ['schedule', 'next', '--frq', 'DL', '--hh', '1', '--mi', '30', '--start', '2027-03-27', '--end', '2027-11-01', '--tz', ZONE, '--from', '2027-10-30T00:00', '-n', '5'],
        noDatabase,
      );
      assert.equal(autumn.code, 0, autumn.stderr);
      assert.equal(autumn.stdout, 'Sat 2027-10-30T01:30:00+01:00\nSun 2027-10-31T01:30:00+01:00\nMon 2027-11-01T01:30:00+00:00\n', 'ends on the (inclusive) end date');
    });

    test('month-end clamping and intraday every N minutes', async () => {
      const monthly = await runCli(['schedule', 'next', '--frq', 'MN', '--day', '31', '--at', '06:00', '--start', '2027-01-01', '--tz', 'UTC', '-n', '3', '--json'], noDatabase);
      assert.deepEqual(json(monthly), ['2027-01-31T06:00:00+00:00', '2027-02-28T06:00:00+00:00', '2027-03-31T06:00:00+00:00']);
      const every = await runCli(['schedule', 'next', '--frq', 'ID', '--every', '20', '--start', '2027-01-01', '--tz', 'UTC', '--from', '2027-01-01T00:30Z', '-n', '2', '--json'], noDatabase);
      assert.deepEqual(json(every), ['2027-01-01T00:40:00+00:00', '2027-01-01T01:00:00+00:00']);
    });

    test('an invalid rule prints the COMPAT.md message, exit 1; a missing zone is a usage error', async () => {
      const bad = await runCli(['schedule', 'next', '--frq', 'XX', '--at', '09:30', '--start', '2027-01-01', '--tz', ZONE, '--json'], noDatabase);
      assert.deepEqual([bad.code, bad.stderr, bad.stdout], [1, BAD_CODE, '']);
      const weekday = await runCli(['schedule', 'next', '--frq', 'WK', '--at', '09:30', '--start', '2027-01-01', '--tz', ZONE], noDatabase);
      assert.deepEqual([weekday.code, weekday.stderr], [1, 'dwprc: Invalid Frequency Day. For Weekly/Fortnightly frequency, frequency day can be any one of "MON,TUE,WED,THU,FRI,SAT,SUN".\n']);
      const noZone = await runCli(['schedule', 'next', '--frq', 'DL', '--at', '09:30', '--start', '2027-01-01'], noDatabase);
      assert.deepEqual([noZone.code, noZone.stderr], [2, 'dwprc: --tz is required to preview a rule (or set DWPRC_TIMEZONE), e.g. --tz Europe/London\n']);
    });
  });
});
