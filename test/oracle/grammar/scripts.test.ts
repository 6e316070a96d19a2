import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { splitOracleScript } from '../../../src/db/dialects/oracle.js';
import { SQL_DIR } from '../../../src/db/migrate.js';
import { scriptGrammarProblems } from './scriptGrammar.js';
import { builtStatements, scriptStatements } from './sqlplusStatements.js';

const ORACLE = path.join(SQL_DIR, 'oracle');
const files = async () => (await readdir(ORACLE)).filter((f) => f.endsWith('.sql')).sort();
const read = (file: string) => readFile(path.join(ORACLE, file), 'utf8');

/** `file` with `from` replaced by `to`; `from` must occur, so a control cannot pass vacuously. */
async function mutated(file: string, from: string | RegExp, to: string): Promise<string> {
  const text = await read(file);
  const changed = text.replace(from, to);
  assert.notEqual(changed, text, `the mutation must change ${file}`);
  return changed;
}

/** Line and column (1-based) of the first match of `pattern` in `text`, plus `shift` columns. */
function positionOf(text: string, pattern: RegExp, shift = 0): { line: number; column: number } {
  const at = text.search(pattern);
  assert.ok(at >= 0, `${pattern} occurs`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 + shift };
}

describe('sql/oracle through the PlSql grammar, statement by statement as SQL*Plus sends them', () => {
  test('every statement of every file parses', async () => {
    const all = await files();
    assert.ok(all.length >= 7, 'the scripts are found');
    const problems = [];
    for (const file of all) problems.push(...scriptGrammarProblems(file, await read(file)).map((p) => p.text));
    assert.deepEqual(problems, []);
  });

  test('dwprc db migrate sends exactly the statements SQL*Plus would (so both run what was parsed)', async () => {
    for (const file of await files()) {
      const text = await read(file);
      assert.deepEqual(splitOracleScript(text), scriptStatements(text).map((s) => s.text.replace(/^(\s*--.*\n|\s*\n)*/g, '').trim()), file);
    }
  });

  test('the DDL local procedures build for EXECUTE IMMEDIATE is parsed too, one statement per call', async () => {
    const text = await read('001_dw_tables.sql');
    const built = scriptStatements(text).flatMap((s) => builtStatements(s.text, s.line));
    assert.ok(built.length >= 30, `${built.length} built statements`);
    const dwjob = built.find((b) => b.text.startsWith('CREATE TABLE DWJOB ('));
    assert.equal(dwjob?.builtBy, 'create_table');
    assert.equal(dwjob?.line, positionOf(text, /create_table\('DWJOB',/).line);
    assert.ok(built.some((b) => /^ALTER TABLE DWPRCREQ ADD \(STOP_REQUESTED VARCHAR2\(1\) DEFAULT 'N' NOT NULL\)$/.test(b.text)));
    assert.ok(built.some((b) => b.text === 'CREATE INDEX DWPRCREQ_STATUS ON DWPRCREQ (STATUS,REQUESTED_AT)'));
  });

  test('the split: "/" ends a PL/SQL unit, ";" or "/" a plain statement, each with its first line', () => {
    const script = ["-- a header; not a statement", 'CREATE TABLE T (X NUMBER, S VARCHAR2(9) DEFAULT \';\');', '', 'BEGIN', '  NULL;', 'END;', '/', 'INSERT INTO T (X)', "  VALUES (1)", '/', "COMMENT ON TABLE T IS 'a; b'; -- done", ''].join('\n');
    assert.deepEqual(scriptStatements(script), [
      { text: "CREATE TABLE T (X NUMBER, S VARCHAR2(9) DEFAULT ';')", line: 2, kind: 'sql' },
      { text: 'BEGIN\n  NULL;\nEND;', line: 4, kind: 'plsql' },
      { text: 'INSERT INTO T (X)\n  VALUES (1)', line: 8, kind: 'sql' },
      { text: "COMMENT ON TABLE T IS 'a; b'", line: 11, kind: 'sql' },
    ]);
  });
});

describe('negative controls: a broken copy of a script is reported with file, line and column', () => {
  const PACKAGE = '031_pkgdwprc.sql';

  test('WHERE AND in the first WHERE of 031_pkgdwprc.sql', async () => {
    const text = await mutated(PACKAGE, /\bWHERE /, 'WHERE AND ');
    // ANTLR stops at the WHERE that can no longer be completed.
    const at = positionOf(text, /\bWHERE AND /);
    const problems = scriptGrammarProblems(PACKAGE, text);
    assert.ok(problems.length > 0, 'reported');
    assert.deepEqual({ line: problems[0]!.line, column: problems[0]!.column }, at, problems.map((p) => p.text).join('\n'));
    assert.match(problems[0]!.text, new RegExp(`^031_pkgdwprc\\.sql:${at.line}:${at.column}: .*'WHERE'`));
  });

  test('a dangling comma after the first "(" of 004_worker.sql', async () => {
    const original = await read('004_worker.sql');
    const first = positionOf(original, /^(?!\s*--).*?\(/m);
    const lines = original.split('\n');
    const line = lines[first.line - 1]!;
    const open = line.indexOf('(');
    lines[first.line - 1] = `${line.slice(0, open + 1)},${line.slice(open + 1)}`;
    const problems = scriptGrammarProblems('004_worker.sql', lines.join('\n'));
    assert.ok(problems.length > 0, 'reported');
    assert.deepEqual({ line: problems[0]!.line, column: problems[0]!.column }, { line: first.line, column: open + 2 }, problems.map((p) => p.text).join('\n'));
  });

  // `at`: where the grammar reports the break, which is where it can first tell (a missing END IF
  // shows at the EXCEPTION that cannot be inside the IF); `message`: what it says there. Most break
  // a small file: a broken copy of the package body costs seconds of full-context parsing.
  const cases: { name: string; file: string; from: string | RegExp; to: string; at: RegExp; message: RegExp }[] = [
    { name: 'a missing END IF', file: '030_dwjobsch_one_current.sql', from: "DWJOBSCH_ONE_CURRENT');\n  END IF;\n", to: "DWJOBSCH_ONE_CURRENT');\n", at: /^EXCEPTION$/m, message: /'EXCEPTION' expecting 'END'/ },
    { name: 'a missing ";" between two statements', file: '004_worker.sql', from: "PUT_LINE('created index DWPRCREQ_LEASE');", to: "PUT_LINE('created index DWPRCREQ_LEASE')", at: /(?<=PUT_LINE\('created index DWPRCREQ_LEASE'\)\n) {4}EXCEPTION/, message: /missing .*';'.* at 'EXCEPTION'/ },
    { name: 'a missing "/" after the package spec (two units sent as one)', file: PACKAGE, from: /END PKGDWPRC;\n\/\n/, to: 'END PKGDWPRC;\n', at: /^CREATE OR REPLACE PACKAGE BODY/m, message: /text after the end of the unit at 'CREATE'/ },
    { name: 'a misspelt keyword', file: '060_dwjobsch_last_skip.sql', from: /\bSELECT\b/, to: 'SELCT', at: /SELCT/, message: /mismatched input '\('/ },
    { name: 'a lost closing parenthesis', file: '001_dw_tables.sql', from: "SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')\n", to: "SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA'\n", at: /WHERE OWNER = SYS_CONTEXT\('USERENV', 'CURRENT_SCHEMA'\n/, message: /mismatched input '='/ },
    { name: 'broken DDL in a literal run by EXECUTE IMMEDIATE', file: '030_dwjobsch_one_current.sql', from: 'THEN MAPREF END)', to: 'THEN MAPREF)', at: /CREATE UNIQUE INDEX DWJOBSCH_ONE_CURRENT/, message: /CASE WHEN.*EXECUTE IMMEDIATE/ },
    { name: 'a broken trigger in a q-literal', file: '003_queue_alert.sql', from: "USING 'DWPRC_REQUEST', 'request';\nEXCEPTION", to: "USING 'DWPRC_REQUEST', 'request'\nEXCEPTION", at: /(?<=^EXCEPTION\n)  WHEN OTHERS/m, message: /EXCEPTION.*EXECUTE IMMEDIATE/s },
    { name: 'an unterminated string', file: '030_dwjobsch_one_current.sql', from: "PUT_LINE('created unique index DWJOBSCH_ONE_CURRENT');", to: "PUT_LINE('created unique index DWJOBSCH_ONE_CURRENT);", at: /PUT_LINE\('created unique index DWJOBSCH_ONE_CURRENT\);/, message: /unterminated literal/ },
    { name: 'a broken package in a q-literal', file: '002_pkgerr.sql', from: '    RAISE_APPLICATION_ERROR(-20099, v_msg);\n  END RAISE_ERROR;', to: '    RAISE_APPLICATION_ERROR(-20099, v_msg);\n    IF v_msg IS NULL THEN NULL;\n  END RAISE_ERROR;', at: /END RAISE_ERROR;/, message: /expecting 'IF'.*EXECUTE IMMEDIATE/ },
    { name: 'a broken column list in a table the migration builds', file: '001_dw_tables.sql', from: '    STFLG       VARCHAR2(1),\n    CURFLG      VARCHAR2(1),\n    CONSTRAINT DWJOB_PK', to: '    STFLG       VARCHAR2(1),,\n    CURFLG      VARCHAR2(1),\n    CONSTRAINT DWJOB_PK', at: /create_table\('DWJOB',/, message: /create_table\(…\) builds here/ },
    { name: 'a plain statement with a syntax error', file: '030_dwjobsch_one_current.sql', from: /$/, to: "COMMENT ON TABLE DWJOBSCH 'schedules';\n", at: /COMMENT ON TABLE DWJOBSCH 'schedules'/, message: /missing 'IS'/ },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const text = await mutated(c.file, c.from, c.to);
      const [first] = scriptGrammarProblems(c.file, text);
      assert.ok(first, `${c.file}: reported`);
      assert.equal(first.line, positionOf(text, c.at).line, first.text);
      assert.match(first.text, new RegExp(`^${c.file.replace('.', '\\.')}:${first.line}:${first.column}: `));
      assert.match(first.message, c.message);
    });
  }
});
