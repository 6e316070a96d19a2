import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CONTRACT } from '../../src/db/contract.js';
import { splitOracleScript } from '../../src/db/dialects/oracle.js';
import { migrationFiles, SQL_DIR } from '../../src/db/migrate.js';
import { SEQUENCES, TABLES } from '../../src/db/schema.js';
import { checkOracleScript } from './plsqlCheck.js';
import './grammar/checkCompiledSql.js';

/** The columns dwprc adds to tables the web UI already writes (COMPAT.md "(added)"). */
const ADDED: Record<string, string[]> = {
  DWJOBSCH: ['NXT_RUN_DT', 'LST_RUN_DT', 'NXT_RUN_SIG'],
  DWPRCREQ: ['ATTEMPTS', 'RUN_AFTER', 'LEASE_EXPIRES_AT', 'PRCID', 'STOP_REQUESTED', 'STOP_REQUEST_ID', 'PROGRESS'],
};

/** COMPAT.md's messages, byte for byte: the web UI shows them. */
const COMPAT_MESSAGES = [
  'Mapping reference must be provided.',
  'Invalid frequency code (Valid: ID,DL,WK,FN,MN,HY,YR).',
  'Invalid Frequency Day. For Weekly/Fortnightly frequency, frequency day can be any one of "MON,TUE,WED,THU,FRI,SAT,SUN".',
  'Invalid frequency day (Valid: 1 .. 31).',
  'Invalid frequency hour (valid: 0 .. 23).',
  'Invalid frequency minute (valid: 0 .. 59).',
  'Schedule start date must be provided.',
  'Schedule start date must not be in past.',
  'Schedule start date must be before schedule end date.',
  'No active job flow found for mapping ',
  'Mapping reference not provided.',
  'Action must be provided, valid values are E or D.',
];

const oracle = (file: string) => readFile(path.join(SQL_DIR, 'oracle', file), 'utf8');
const postgres = (file: string) => readFile(path.join(SQL_DIR, 'postgres', file), 'utf8');

/** The nested helper procedure `name` of a script: its text from PROCEDURE to END name;. */
function helper(text: string, name: string): string {
  const match = new RegExp(`PROCEDURE ${name}\\([\\s\\S]*?END ${name};`).exec(text);
  assert.ok(match, `helper ${name} is defined`);
  return match[0];
}

/** The anonymous block holding `name`, up to its "/" line. */
function blockOf(text: string, name: string): string {
  return splitOracleScript(text).find((unit) => unit.includes(`PROCEDURE ${name}(`))!;
}

/** Asserts the block catches exactly `code` (PRAGMA EXCEPTION_INIT) in the helper and nothing broader. */
function assertCatches(block: string, name: string, codes: number[]) {
  for (const code of codes) assert.match(block, new RegExp(`PRAGMA EXCEPTION_INIT\\(e_\\w+, ${code}\\)`), `${name} catches ORA${code}`);
  assert.doesNotMatch(helper(block, name), /WHEN OTHERS/, `${name} does not swallow other errors`);
}

const TYPE = /^(NUMBER|VARCHAR2|CLOB|DATE|TIMESTAMP)(\(\d+\))?/;

describe('sql/oracle scripts (the additive contract, checked on the text)', () => {
  test('numbered files split into statements, each ended by a "/" line', async () => {
    const files = await migrationFiles('oracle', 'DW');
    const versions = files.map((f) => f.version);
    assert.deepEqual(versions, [...new Set(versions)].sort((a, b) => a - b), 'numbered, each once, in order');
    for (const v of [1, 2, 3, 4, 30, 31]) assert.ok(versions.includes(v), `file ${v} present`);
    for (const file of files) {
      const statements = splitOracleScript(file.text);
      const slashLines = file.text.split('\n').filter((l) => /^\s*\/\s*$/.test(l)).length;
      assert.equal(statements.length, slashLines, `${file.name}: one "/" per statement`);
      for (const s of statements) assert.match(s, /^(DECLARE|BEGIN|CREATE OR REPLACE PACKAGE)\b/, `${file.name}: only PL/SQL units (guarded DDL): ${s.slice(0, 60)}`);
    }
  });

  test('the fresh path creates every COMPAT.md table with its types, only when missing', async () => {
    const text = await oracle('001_dw_tables.sql');
    const create = helper(text, 'create_table');
    assert.match(create, /FROM ALL_TABLES\s+WHERE OWNER = SYS_CONTEXT\('USERENV', 'CURRENT_SCHEMA'\)\s+AND TABLE_NAME = p_table/);
    assert.match(create, /IF v_count = 0 THEN\s+EXECUTE IMMEDIATE 'CREATE TABLE '/);
    assertCatches(blockOf(text, 'create_table'), 'create_table', [-955]);

    const created = new Map([...text.matchAll(/create_table\('(\w+)', q'\[([\s\S]*?)\]'\);/g)].map((m) => [m[1]!, m[2]!]));
    assert.deepEqual([...created.keys()].sort(), Object.keys(CONTRACT).map((t) => t.toUpperCase()).sort());
    for (const [table, ddl] of created) {
      const columns = new Map(
        ddl.split(/,\s*(?![^(]*\))/).map((c) => c.trim()).filter((c) => c && !c.startsWith('CONSTRAINT')).map((c) => {
          const [name, rest] = [c.split(/\s+/)[0]!, c.slice(c.indexOf(' ')).trim()];
          return [name.toLowerCase(), TYPE.exec(rest)?.[0]] as const;
        }),
      );
      const expected = Object.entries(CONTRACT[table.toLowerCase()]!).filter(([c]) => !ADDED[table]?.includes(c.toUpperCase()));
      assert.deepEqual(new Map(expected), columns, `${table}: the original columns and COMPAT.md's types`);
    }
    assert.match(created.get('DWPRCREQ')!, /STATUS\s+VARCHAR2\(20\)\s+DEFAULT 'NEW'/);
    assert.match(created.get('DWPRCREQ')!, /REQUESTED_AT\s+TIMESTAMP\s+DEFAULT SYSTIMESTAMP/);
  });

  test('each (added) column is added only when USER/ALL_TAB_COLUMNS lacks it, with its type and a default', async () => {
    const text = await oracle('001_dw_tables.sql');
    const add = helper(text, 'add_column');
    assert.match(add, /FROM ALL_TAB_COLUMNS\s+WHERE OWNER = SYS_CONTEXT\('USERENV', 'CURRENT_SCHEMA'\)\s+AND TABLE_NAME = p_table\s+AND COLUMN_NAME = p_column/);
    assert.match(add, /IF v_count = 0 THEN\s+EXECUTE IMMEDIATE 'ALTER TABLE ' \|\| p_table \|\| ' ADD \('/);
    assertCatches(blockOf(text, 'add_column'), 'add_column', [-1430]);

    const added = [...text.matchAll(/add_column\('(\w+)', '(\w+)', (?:'([^']*)'|q'\[([^\]]*)\]')\);/g)].map((m) => ({ table: m[1]!, column: m[2]!, definition: m[3] ?? m[4]! }));
    assert.deepEqual(
      added.map((a) => `${a.table}.${a.column}`).sort(),
      Object.entries(ADDED).flatMap(([t, cs]) => cs.map((c) => `${t}.${c}`)).sort(),
    );
    for (const a of added) {
      assert.equal(TYPE.exec(a.definition)?.[0], CONTRACT[a.table.toLowerCase()]![a.column.toLowerCase()], `${a.table}.${a.column} type`);
      if (/NOT NULL/.test(a.definition)) assert.match(a.definition, /DEFAULT \S+ NOT NULL/, `${a.table}.${a.column}: NOT NULL needs a default, rows the UI writes omit it`);
    }
    assert.equal(added.find((a) => a.column === 'ATTEMPTS')!.definition, 'NUMBER DEFAULT 0 NOT NULL');
    assert.equal(added.find((a) => a.column === 'STOP_REQUESTED')!.definition, "VARCHAR2(1) DEFAULT 'N' NOT NULL");
  });

  test('sequences are created when missing, step 1, starting after existing ids (1 on an empty table)', async () => {
    const text = await oracle('001_dw_tables.sql');
    const create = helper(text, 'create_sequence');
    assert.match(create, /FROM ALL_SEQUENCES\s+WHERE SEQUENCE_OWNER = SYS_CONTEXT\('USERENV', 'CURRENT_SCHEMA'\)/);
    assert.match(create, /'SELECT NVL\(MAX\(' \|\| p_column \|\| '\), 0\) \+ 1 FROM '/);
    assert.match(create, /' START WITH ' \|\| TO_CHAR\(v_start\) \|\| ' INCREMENT BY 1'/);
    assertCatches(blockOf(text, 'create_sequence'), 'create_sequence', [-955]);
    const sequences = [...text.matchAll(/create_sequence\('(\w+)', '(\w+)', '(\w+)'\);/g)].map((m) => [m[1], m[2], m[3]]);
    assert.deepEqual(sequences.map((s) => s[0]!.toLowerCase()).sort(), [...SEQUENCES].sort());
    assert.deepEqual(sequences, [
      ['DWJOBSCHSEQ', 'DWJOBSCH', 'JOBSCHID'],
      ['DWPRCLOGSEQ', 'DWPRCLOG', 'PRCID'],
      ['DWJOBLOGSEQ', 'DWJOBLOG', 'JOBLOGID'],
      ['DWJOBERRSEQ', 'DWJOBERR', 'ERRID'],
    ]);
  });

  test('the indexes of the PostgreSQL schema, added unless an index already starts with the same columns', async () => {
    const text = await oracle('001_dw_tables.sql');
    const add = helper(text, 'add_index');
    assert.match(add, /FROM ALL_IND_COLUMNS\s+WHERE TABLE_OWNER = SYS_CONTEXT\('USERENV', 'CURRENT_SCHEMA'\)\s+AND TABLE_NAME = p_table/);
    assert.match(add, /WHERE COLS = p_columns\s+OR COLS LIKE p_columns \|\| ',%'/);
    assertCatches(blockOf(text, 'add_index'), 'add_index', [-955, -1408]);
    const indexes = new Map([...text.matchAll(/add_index\('(\w+)', '(\w+)', '([\w,]+)'\);/g)].map((m) => [m[1]!, `${m[2]} (${m[3]})`]));
    const pg = [...(await postgres('001_dw_tables.sql')).matchAll(/create index if not exists (\w+) on (\w+) \(([^)]+)\)/g)];
    assert.ok(pg.length >= 10);
    for (const [, name, table, columns] of pg) {
      assert.equal(indexes.get(name!.toUpperCase()), `${table!.toUpperCase()} (${columns!.toUpperCase().replace(/\s/g, '')})`, `twin of ${name}`);
    }
    const required = [...indexes.values()];
    for (const needed of ['DWPRCREQ (STATUS,REQUESTED_AT)', 'DWPRCREQ (MAPREF)', 'DWPRCLOG (SESSIONID,STATUS)']) assert.ok(required.includes(needed), needed);
  });

  test('one current schedule per MAPREF: a unique index on CASE WHEN CURFLG = Y, skipped over duplicates', async () => {
    const text = await oracle('030_dwjobsch_one_current.sql');
    assert.match(text, /CREATE UNIQUE INDEX DWJOBSCH_ONE_CURRENT ON DWJOBSCH \(CASE WHEN CURFLG = 'Y' THEN MAPREF END\)/);
    assert.match(text, /FROM ALL_INDEXES\s+WHERE OWNER = SYS_CONTEXT\('USERENV', 'CURRENT_SCHEMA'\)\s+AND INDEX_NAME = 'DWJOBSCH_ONE_CURRENT'/);
    assert.match(text, /GROUP BY MAPREF\s+HAVING COUNT\(\*\) > 1/);
    assert.match(text, /ELSIF v_duplicates > 0 THEN\s+DBMS_OUTPUT\.PUT_LINE\('skipped unique index/);
  });

  test('DBMS_ALERT trigger: only when a probe compiled with the grants of the owner is VALID; dynamic, error-proof, one signal per INSERT statement', async () => {
    const text = await oracle('003_queue_alert.sql');
    assert.match(text, /v_probe  VARCHAR2\(30\) := 'DWPRC_PROBE_' \|\| SYS_CONTEXT\('USERENV', 'SID'\);/, 'a probe per session: concurrent migrations do not drop each other');
    assert.match(text, /EXECUTE IMMEDIATE 'CREATE OR REPLACE PROCEDURE ' \|\| v_probe \|\| q'\[ IS\s+BEGIN\s+DBMS_ALERT\.SIGNAL\('DWPRC_PROBE', 'probe'\);/);
    assert.match(text, /PRAGMA EXCEPTION_INIT\(e_compiled_with_errors, -24344\)/, 'a probe that does not compile is not an error of the migration');
    assert.match(text, /SELECT STATUS INTO v_status\s+FROM ALL_OBJECTS\s+WHERE OWNER = SYS_CONTEXT\('USERENV', 'CURRENT_SCHEMA'\)\s+AND OBJECT_NAME = v_probe/);
    assert.match(
      text,
      /EXECUTE IMMEDIATE 'DROP PROCEDURE ' \|\| v_probe;\s+IF v_status = 'VALID' THEN[\s\S]*?DDL_LOCK_TIMEOUT = 60';\s+EXECUTE IMMEDIATE q'\[CREATE OR REPLACE TRIGGER DWPRCREQ_ALERT\s+AFTER INSERT ON DWPRCREQ\s+BEGIN/,
    );
    assert.match(text, /EXECUTE IMMEDIATE 'ALTER SESSION SET DDL_LOCK_TIMEOUT = 0';/, 'the pooled session gets its default back');
    const trigger = /CREATE OR REPLACE TRIGGER[\s\S]*?END;\]'/.exec(text)![0];
    assert.doesNotMatch(trigger, /FOR EACH ROW/, 'statement level: one signal per INSERT');
    assert.match(trigger, /EXECUTE IMMEDIATE 'BEGIN DBMS_ALERT\.SIGNAL\(:1, :2\); END;' USING 'DWPRC_REQUEST', 'request';\s+EXCEPTION\s+WHEN OTHERS THEN\s+NULL;/);
    assert.match(text, /ELSE\s+DBMS_OUTPUT\.PUT_LINE\('skipped trigger DWPRCREQ_ALERT/);
  });

  test('PKGERR is created only where missing; both packages fail the migration when they do not compile', async () => {
    const pkgerr = await oracle('002_pkgerr.sql');
    assert.match(pkgerr, /OBJECT_NAME = 'PKGERR'\s+AND OBJECT_TYPE = 'PACKAGE';\s+IF v_count = 0 THEN/);
    assert.match(pkgerr, /RAISE_APPLICATION_ERROR\(-20099, v_msg\)/);
    const pkgdwprc = await oracle('031_pkgdwprc.sql');
    for (const [text, name] of [[pkgerr, 'PKGERR'], [pkgdwprc, 'PKGDWPRC']] as const) {
      assert.match(text, new RegExp(`FROM ALL_ERRORS[\\s\\S]*?NAME = '${name}'[\\s\\S]*?RAISE_APPLICATION_ERROR\\(-20098, '${name} does not compile:'`));
    }
    assert.match(pkgdwprc, /CREATE TABLE DWPRC_PKGDWPRC_SRC AS/, 'the original package source is kept');
    assert.doesNotMatch(pkgdwprc.replace(/--[^\n]*/g, ''), /DBMS_SCHEDULER/);
  });

  test("COMPAT.md's messages appear byte for byte in the Oracle package and in its PostgreSQL twin", async () => {
    const ora = await oracle('031_pkgdwprc.sql');
    const pg = await postgres('031_pkgdwprc_schedule.sql');
    for (const message of COMPAT_MESSAGES) {
      assert.ok(ora.includes(`'${message}`), `Oracle: ${message}`);
      assert.ok(pg.includes(`'${message}`), `PostgreSQL: ${message}`);
    }
  });

  test('a DMS_ install gets every table and sequence renamed, and still passes the static check', async () => {
    const files = await migrationFiles('oracle', 'DMS_');
    const all = files.map((f) => f.text).join('\n');
    assert.match(all, /create_table\('DMS_PRCREQ'/);
    assert.match(all, /add_column\('DMS_JOBSCH', 'NXT_RUN_DT'/);
    assert.match(all, /create_sequence\('DMS_JOBSCHSEQ', 'DMS_JOBSCH', 'JOBSCHID'\)/);
    assert.match(all, /DMS_JOBSCH\.MAPREF%TYPE/);
    assert.match(all, /ON DMS_JOBSCH \(CASE WHEN CURFLG/);
    for (const name of [...TABLES, ...SEQUENCES]) assert.doesNotMatch(all, new RegExp(`\\b${name}\\b`, 'i'), `${name} renamed`);
    for (const file of files) assert.deepEqual(checkOracleScript(file.text).findings, [], file.name);
  });
});
