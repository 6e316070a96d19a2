import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { type RawBuilder, sql } from 'kysely';
import { oracleCompiler } from '../../src/db/dialects/oracle.js';
import { withoutGrammarCheck } from './grammar/checkCompiledSql.js';
import { assertOracleSql, oracleSqlProblems } from './oracleSqlRules.js';

const db = oracleCompiler();
/** The rules' findings; compiled without the grammar check, since most of these are meant to be refused. */
const problems = (q: { compile(): { sql: string; parameters: readonly unknown[] } }) => {
  const c = withoutGrammarCheck(() => q.compile());
  return oracleSqlProblems(c.sql, c.parameters);
};
const raw = (q: RawBuilder<unknown>) => ({ compile: () => q.compile(db) });

describe('the Oracle SQL rules catch what they are meant to (so the pins elsewhere can fail)', () => {
  test('a plain query passes', () => {
    assert.deepEqual(problems(db.selectFrom('dwprcreq as q').select('q.requestId').where('q.mapref', '=', 'M1').orderBy('q.requestId').fetch(5)), []);
  });

  test('LIMIT, and FETCH FIRST / ROWNUM / a subquery with FOR UPDATE', () => {
    assert.match(problems(db.selectFrom('dwprcreq').select('requestId').limit(5)).join(), /LIMIT: Oracle has none/);
    assert.match(problems(db.selectFrom('dwprcreq').select('requestId').fetch(5).forUpdate().skipLocked()).join(), /ORA-02014/);
    assert.match(oracleSqlProblems('select "A" from "T" where rownum <= :1 for update skip locked', [1]).join(), /ROWNUM with FOR UPDATE/);
    assert.match(oracleSqlProblems('update "T" set "A" = :1 where "ID" in (select "ID" from "T" for update skip locked)', [1]).join(), /FOR UPDATE in a subquery/);
    assert.deepEqual(oracleSqlProblems('select "A" from "T" order by "A" for update skip locked'), []);
  });

  test('RETURNING without INTO, SELECT without FROM (also in a scalar subquery)', () => {
    assert.match(problems(db.updateTable('dwprcreq').set({ status: 'DONE' }).returning('requestId')).join(), /RETURNING without INTO/);
    assert.deepEqual(oracleSqlProblems('insert into "T" ("A") values (:1) returning "A" into :2', [1, 2]), []);
    assert.match(problems(raw(sql`select 1 as "v"`)).join(), /SELECT without FROM/);
    assert.match(oracleSqlProblems('select "A", (select 1) "B" from "T"').join(), /SELECT without FROM/);
    assert.deepEqual(oracleSqlProblems(`select extract(year from "D") "Y" from "T"`), []);
  });

  test('PostgreSQL-only syntax', () => {
    for (const [text, name] of [
      ['select "A"::int "B" from "T"', ':: cast'],
      ['select now() "N" from "T"', 'now()'],
      [`select "A" from "T" where "D" > "E" - interval '1 day'`, 'interval'],
      ['insert into "T" ("A") values (:1) on conflict do nothing', 'ON CONFLICT'],
      ['select "A" from "T" where "A" ilike :1', 'ILIKE'],
      ['select distinct on ("A") "A" from "T"', 'DISTINCT ON'],
      ['select pg_backend_pid() "P" from "T"', 'pg_'],
      ['select "A" from "T" where "B" = $1', '$n'],
      ['select "A" from "T" where "B" = true', 'boolean literal'],
    ] as const) {
      assert.ok(oracleSqlProblems(text, text.includes(':1') ? [1] : []).some((p) => p.includes(name)), `${name}: ${text}`);
    }
  });

  test('lower-case quoted names, AS before a table alias, literal values, binds that do not match the text', () => {
    assert.match(problems(raw(sql`select ${sql.raw('"request_id"')} from "DWPRCREQ"`)).join(), /"request_id" is not upper case/);
    assert.deepEqual(oracleSqlProblems('select count(*) as "n" from "T"'), [], 'a lower-case column alias after AS is fine (raw result keys)');
    assert.match(oracleSqlProblems('select "Q"."A" from "DWPRCREQ" as "Q"').join(), /AS before a table alias/);
    assert.match(problems(db.selectFrom('dwprcreq').select('requestId').where('mapref', '=', sql.lit('M1'))).join(), /string literal 'M1'/);
    assert.match(oracleSqlProblems(`select "A" from "T" where "B" = 'it''s'`).join(), /string literal 'it's' in the SQL text/);
    assert.match(oracleSqlProblems('select "A" from "T" where "B" = :1', []).join(), /binds :1…:0 expected, the text has :1/);
  });

  test('assertOracleSql: user values must be binds, not text', () => {
    assert.throws(() => assertOracleSql(db.selectFrom('dwprcreq').select('requestId').where('mapref', '=', sql.lit('MAPREF_X')), { binds: ['MAPREF_X'] }));
    const q = assertOracleSql(db.selectFrom('dwprcreq').select('requestId').where('mapref', '=', 'MAPREF_X'), { binds: ['MAPREF_X'] });
    assert.deepEqual(q.parameters, ['MAPREF_X']);
  });
});

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

describe('shared source: no builder call that compiles to SQL Oracle rejects', () => {
  test('no .limit(), .returning(), .onConflict() or .distinctOn() outside the PostgreSQL dialect', async () => {
    const src = path.resolve(import.meta.dirname, '..', '..', 'src');
    const offenders: string[] = [];
    for (const file of await sourceFiles(src)) {
      const relative = path.relative(src, file);
      if (/^db[/\\]dialects[/\\]postgres/.test(relative)) continue;
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        const code = line.replace(/\/\/.*$|^\s*\*.*$/, '');
        if (/\.(limit|returning|returningAll|onConflict|distinctOn)\s*\(/.test(code)) offenders.push(`${relative}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.ok((await sourceFiles(src)).length > 50, 'the scan sees the sources');
    assert.deepEqual(offenders, []);
  });
});
