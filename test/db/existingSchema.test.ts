import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { loadConfig } from '../../src/config.js';
import { migrate } from '../../src/db/migrate.js';
import { renameObjectsInSql } from '../../src/db/tableNames.js';
import { findReportSql } from '../../src/engine/reports/findReportSql.js';
import { runDoctor } from '../../src/observe/doctor.js';
import { initialiseSchedule, schedulesToInitialise } from '../../src/scheduler/initialiseSchedule.js';
import { listSchedules } from '../../src/scheduler/listSchedules.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'fixtures', 'existing-schema', 'postgres.sql');

/** A database holding the DMS tool's own install (its shape) and some of its rows, under `prefix`. */
async function toolInstall(prefix: string): Promise<TestDatabase> {
  const t = await createTestDatabase({ migrate: false, tablePrefix: prefix });
  const name = (table: string) => sql.table(table);
  await sql.raw(renameObjectsInSql(readFileSync(FIXTURE, 'utf8'), prefix)).execute(t.dialect.db);
  await sql`insert into users (username) values ('etl-admin')`.execute(t.dialect.db);
  await sql`insert into ${name('dwjob')} (jobid, mapref, stflg, curflg) values (7, 'SALES_FCT', 'A', 'Y')`.execute(t.dialect.db);
  await sql`insert into ${name('dwjobsch')} (jobschid, jobid, mapref, frqcd, frqhh, frqmi, strdt, curflg)
            values (1, 7, 'OLD_FCT', 'DL', 2, 30, timestamp '2026-01-01 00:00:00', 'Y')`.execute(t.dialect.db);
  await sql`insert into ${name('dwmaprsql')} (maprsqlid, maprsqlcd, maprsql, curflg) values (1, 'SALES', 'select 1 as n', 'Y')`.execute(t.dialect.db);
  return t;
}

/** Every column, index and the tool's own rows: what a second migration must leave as it is. */
async function snapshot(t: TestDatabase) {
  const columns = await sql`select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns
                             where table_schema = current_schema() order by 1, 2`.execute(t.dialect.db);
  const indexes = await sql`select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema() order by 1, 2`.execute(t.dialect.db);
  const rows = await sql`select (select count(*) from users) as users, (select count(*) from ${sql.table('dwjobsch')}) as schedules`.execute(t.dialect.db);
  return { columns: columns.rows, indexes: indexes.rows, rows: rows.rows };
}

for (const prefix of ['DMS_', 'DW']) {
  const p = (table: string) => (prefix === 'DW' ? table : `DMS_${table.slice(2)}`).toUpperCase();

  describe(`db migrate on a schema made by the DMS tool's own install script (${prefix} prefix)`, () => {
    test('additive: it completes, names what it could not reconcile, and a second run changes nothing', async () => {
      const t = await toolInstall(prefix);
      try {
        const first = await migrate(t.dialect, prefix);
        assert.ok(first.applied.some((m) => m.version === 70), JSON.stringify(first.applied));
        assert.deepEqual(first.unreconciled, [
          `${p('dwjobsch')}.JOBID is NOT NULL: a schedule saved without a JOBID (by dwprc, and by the tool's own save) is refused; allow NULLs in it to save schedules`,
          `${p('dwjobsch')}.FRQHH and ${p('dwjobsch')}.FRQMI are numeric (integer): read like text; leading zeros are not kept`,
          `${p('dwjobsch')}.STRDT and ${p('dwjobsch')}.ENABLEFLG are not read by dwprc nor by the tool's own code, which use STRTDT and SCHFLG (added empty where missing): schedules saved before keep no start date until they are saved again`,
        ]);
        const before = await snapshot(t);
        const second = await migrate(t.dialect, prefix);
        assert.deepEqual([second.applied, second.unreconciled], [[], first.unreconciled]);
        assert.deepEqual(await snapshot(t), before, 'nothing changed');
        const old = await sql<{ jobid: string; frqhh: number; strdt: Date }>`select jobid, frqhh, strdt from ${sql.table('dwjobsch')} where jobschid = 1`.execute(t.dialect.db);
        assert.deepEqual(old.rows.map((r) => [Number(r.jobid), r.frqhh]), [[7, 2]], "the tool's rows are left as they were");
      } finally {
        await t.drop();
      }
    });

    test('then: report SQL is found under MAPRSQLCD, numeric FRQHH/FRQMI are read like text, doctor names the drift', async () => {
      const t = await toolInstall(prefix);
      try {
        await migrate(t.dialect, prefix);
        assert.equal(await findReportSql(t.dialect, 'SALES'), 'select 1 as n');
        assert.equal(await findReportSql(t.dialect, 'NONE'), undefined);

        // The later tool's own schedule save, in its shape, now that its columns exist.
        await sql`insert into ${sql.table('dwjobsch')} (jobschid, jobid, jobflwid, mapref, frqcd, frqdd, frqhh, frqmi, strtdt, enddt, stflg, reccrdt, recupdt, curflg, schflg, nxt_run_dt)
                  values (2, 7, 1, 'SALES_FCT', 'DL', null, 2, 5, timestamp '2027-01-01 00:00:00', null, 'A', current_timestamp, current_timestamp, 'Y', 'Y', null)`.execute(t.dialect.db);
        const list = await listSchedules(t.dialect, 'UTC');
        const sales = list.schedules.find((s) => s.mapref === 'SALES_FCT')!;
        assert.deepEqual([sales.frqhh, sales.frqmi, sales.enabled], ['2', '5', true]);
        const due = await schedulesToInitialise(t.dialect.db, 'UTC').execute();
        assert.deepEqual(due.map((r) => r.mapref), ['SALES_FCT']);
        const initialised = await initialiseSchedule(t.dialect.db, { ...due[0]!, jobschid: Number(due[0]!.jobschid) }, 'UTC', DateTime.fromISO('2026-12-31T12:00:00Z'));
        assert.equal(initialised.next?.toISO(), '2027-01-01T02:05:00.000Z');
        assert.deepEqual(await schedulesToInitialise(t.dialect.db, 'UTC').execute(), [], 'its signature matches the numeric columns');

        const config = loadConfig({ DWPRC_TABLE_PREFIX: prefix, DWPRC_TIMEZONE: 'UTC' });
        const report = await runDoctor(t.dialect, config);
        const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
        assert.equal(byName.columns!.status, 'ok', byName.columns!.detail);
        assert.equal(byName['schema drift']!.status, 'warn');
        assert.match(byName['schema drift']!.detail, new RegExp(`^report SQL under the later naming \\(MAPRSQLCD/MAPRSQL\\); ${p('dwjobsch')}\\.JOBID is NOT NULL`));
      } finally {
        await t.drop();
      }
    });
  });
}
