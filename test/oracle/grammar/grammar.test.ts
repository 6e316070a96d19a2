import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertOracleGrammar, GRAMMAR_GAPS, oracleKindOf, oracleSyntaxProblems, parseNow } from './oracleGrammar.js';
import { wasClean } from './grammarCache.js';

describe('the Oracle grammar check itself', () => {
  test('the kind of a text: PL/SQL unit, SQL statement, or a fragment', () => {
    assert.equal(oracleKindOf('-- note\nBEGIN NULL; END;'), 'plsql');
    assert.equal(oracleKindOf('declare v NUMBER; begin null; end;'), 'plsql');
    assert.equal(oracleKindOf('CREATE OR REPLACE PACKAGE BODY P IS END P;'), 'plsql');
    assert.equal(oracleKindOf('CREATE TABLE T (X NUMBER)'), 'sql');
    assert.equal(oracleKindOf('(select 1 from dual) union (select 2 from dual)'), 'sql');
    assert.equal(oracleKindOf('(SYS_EXTRACT_UTC(SYSTIMESTAMP) + NUMTODSINTERVAL(:1, \'SECOND\'))'), 'expression');
  });

  test('keywords in any case; errors with line and column (1-based) on a multi-line text', () => {
    assert.deepEqual(oracleSyntaxProblems('select "A" from "T" Where "B" = :1 order BY "A"'), []);
    const [problem] = oracleSyntaxProblems('SELECT "A"\n  FROM "T"\n WHERE AND "B" = :1');
    assert.deepEqual({ line: problem!.line, column: problem!.column }, { line: 3, column: 2 });
    assert.throws(() => assertOracleGrammar('SELECT "A"\n  FROM "T"\n WHERE AND "B" = :1', { where: 'q' }), /^Error: q:3:2: mismatched input 'WHERE'\n {3}WHERE AND "B" = :1\n {3}\^/);
  });

  test('a SQL statement must come without ";", as one statement; a PL/SQL unit as one unit', () => {
    assert.match(oracleSyntaxProblems('SELECT 1 FROM DUAL;')[0]!.message, /ORA-00933/);
    assert.match(oracleSyntaxProblems('SELECT 1 FROM DUAL; SELECT 2 FROM DUAL')[0]!.message, /ends before 'SELECT'/);
    assert.match(oracleSyntaxProblems('BEGIN NULL; END;\nBEGIN NULL; END;')[0]!.message, /text after the end of the unit at 'BEGIN'/);
    assert.match(oracleSyntaxProblems('BEGIN NULL; END')[0]!.message, /';'/);
    assert.match(oracleSyntaxProblems('DBMS_ALERT.SIGNAL(:1, :2)', 'sql')[0]!.message, /PL\/SQL call where one SQL statement was expected/);
    assert.notDeepEqual(oracleSyntaxProblems('SELECT 1 FROM DUAL', 'plsql'), []);
  });

  test('a fragment parses as an expression, its columns as written', () => {
    assert.deepEqual(oracleSyntaxProblems("(CAST(SYSTIMESTAMP AS TIMESTAMP) + NUMTODSINTERVAL(:1, 'SECOND'))"), []);
    assert.deepEqual(oracleSyntaxProblems('NVL(:1, ) + 1').map((p) => `${p.line}:${p.column}`), ['1:9']);
  });

  test('each known gap of the grammar is still one (an entry it has learnt must go), and hides only its own text', () => {
    for (const gap of GRAMMAR_GAPS) {
      assert.ok(gap.text.test(gap.example), gap.example);
      assert.notDeepEqual(parseNow(gap.example, oracleKindOf(gap.example)), [], `${gap.example}: ${gap.why}`);
      assert.deepEqual(oracleSyntaxProblems(gap.example), []);
    }
    assert.notDeepEqual(oracleSyntaxProblems('ALTER SESSION SET DDL_LOCK_TIMEOUT = 60 60'), []);
  });

  test('the cache remembers clean texts only: an error is parsed and reported every time', () => {
    const broken = 'SELECT "A" FROM "T" WHERE AND "B" = :1 -- cache probe';
    assert.notDeepEqual(oracleSyntaxProblems(broken), []);
    assert.equal(wasClean(`sql\0${broken}`), false);
    const clean = 'SELECT "A" FROM "T" WHERE "B" = :1 -- cache probe';
    assert.deepEqual(oracleSyntaxProblems(clean), []);
    assert.equal(wasClean(`sql\0${clean}`), process.env.DWPRC_TEST_GRAMMAR_CACHE !== 'off');
  });
});

describe('what the grammar catches, and what it cannot (the rules of oracleSqlRules.ts and plsqlCheck.ts stay for those)', () => {
  test('refused by the grammar: PostgreSQL and other syntax Oracle does not have', () => {
    for (const text of [
      'select "A" from "T" limit :1',
      'select "A"::int "B" from "T"',
      `select "A" from "T" where "D" > "E" - interval '1 day'`,
      'insert into "T" ("A") values (:1) on conflict do nothing',
      'select "A" from "T" where "A" ilike :1',
      'select distinct on ("A") "A" from "T"',
      'select "A" from "T" where "B" = $1',
      'select "Q"."A" from "DWPRCREQ" as "Q"',
      'select 1 as "v"',
      'select "A", (select 1) "B" from "T"',
      'update "T" set "A" = :1 returning "A"',
      'update "T" set "A" = :1 where "ID" in (select "ID" from "T" for update skip locked)',
    ]) {
      assert.notDeepEqual(oracleSyntaxProblems(text), [], text);
    }
  });

  test('accepted by the grammar, refused only by a server or the hand-written rules', () => {
    for (const text of [
      'select "A" from "T" fetch first :1 rows only for update skip locked',
      'select "A" from "T" where rownum <= :1 for update skip locked',
      'select now() "N" from "T"',
      'select "A" from "T" where "B" = true',
      'select "request_id" from "DWPRCREQ"',
      `select "A" from "T" where "B" = 'M1'`,
      'select "A" from "NO_SUCH_TABLE"',
    ]) {
      assert.deepEqual(oracleSyntaxProblems(text), [], text);
    }
  });
});
