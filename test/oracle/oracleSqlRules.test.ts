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

  // LIMIT, RETURNING without INTO, SELECT without FROM, FOR UPDATE in a subquery and PostgreSQL
  // syntax Oracle cannot parse are the grammar's (grammar/grammar.test.ts): these rules are for
  // what parses and still fails.
  test('FETCH FIRST, ROWNUM or OFFSET with FOR UPDATE', () => {
    assert.match(problems(db.selectFrom('dwprcreq').select('requestId').fetch(5).forUpdate().skipLocked()).join(), /ORA-02014/);
    assert.match(oracleSqlProblems('select "A" from "T" where rownum <= :1 for update skip locked', [1]).join(), /ROWNUM with FOR UPDATE/);
    assert.match(oracleSqlProblems('select "A" from "T" order by "A" offset :1 rows for update', [1]).join(), /OFFSET with FOR UPDATE/);
    assert.deepEqual(oracleSqlProblems('select "A" from "T" order by "A" for update skip locked'), []);
  });

  test("a comparison with '' (Oracle's empty string is NULL)", () => {
    assert.match(oracleSqlProblems(`select "A" from "T" where "B" = ''`).join(), /empty string is NULL/);
    assert.match(oracleSqlProblems(`select "A" from "T" where "B" <> ''`).join(), /empty string is NULL/);
    assert.match(oracleSqlProblems(`select "A" from "T" where "B" in (:1, '')`, [1]).join(), /empty string is NULL/);
    assert.deepEqual(oracleSqlProblems(`select "A" from "T" where NVL("B", '') IS NULL`), []);
  });

  test('PostgreSQL functions and literals that parse but fail on Oracle', () => {
    for (const [text, name] of [
      ['select now() "N" from "T"', 'now()'],
      ['select pg_backend_pid() "P" from "T"', 'pg_'],
      ['select nextval(\'S\') "N" from "T"', 'nextval'],
      ['select "A" from "T" where "B" = true', 'boolean literal'],
    ] as const) {
      assert.ok(oracleSqlProblems(text, text.includes(':1') ? [1] : []).some((p) => p.includes(name)), `${name}: ${text}`);
    }
  });

  test('lower-case quoted names, literal values, binds that do not match the text', () => {
    assert.match(problems(raw(sql`select ${sql.raw('"request_id"')} from "DWPRCREQ"`)).join(), /"request_id" is not upper case/);
    assert.deepEqual(oracleSqlProblems('select count(*) as "n" from "T"'), [], 'a lower-case column alias after AS is fine (raw result keys)');
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
