import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { SQL_DIR } from '../../src/db/migrate.js';
import { checkOracleScript, checkPackage, checkTwin, postgresRoutines, type Finding } from './plsqlCheck.js';

const ORACLE = path.join(SQL_DIR, 'oracle');
const PACKAGE_FILE = '031_pkgdwprc.sql';
/** Parameters only the Oracle side has: the web UI reads STOP_RUNNING_JOB's p_err. */
const ORACLE_ONLY = { STOP_RUNNING_JOB: ['p_err'] };

const read = (file: string) => readFile(path.join(ORACLE, file), 'utf8');
const postgresTwin = async () =>
  (await Promise.all(['002_pkgdwprc.sql', '031_pkgdwprc_schedule.sql'].map((f) => readFile(path.join(SQL_DIR, 'postgres', f), 'utf8')))).flatMap((text) =>
    postgresRoutines(text, 'pkgdwprc'),
  );

/** Every finding for a script: its own checks, and for the package file spec/body and twin. */
async function findingsOf(file: string, text: string, twin = postgresTwin()): Promise<Finding[]> {
  const report = checkOracleScript(text);
  const findings = [...report.findings];
  if (file === PACKAGE_FILE) {
    findings.push(...checkPackage('PKGDWPRC', report.units, text));
    findings.push(...checkTwin(report.units, 'PKGDWPRC', await twin, ORACLE_ONLY));
  }
  return findings;
}

/** The file with `from` replaced by `to`; `from` must occur, so a test cannot pass vacuously. */
async function broken(file: string, from: string | RegExp, to: string): Promise<string> {
  const text = await read(file);
  const changed = text.replace(from, to);
  assert.notEqual(changed, text, `the mutation must change ${file}`);
  return changed;
}

async function assertFinds(file: string, text: string, expected: RegExp, twin?: ReturnType<typeof postgresTwin>) {
  const findings = await findingsOf(file, text, twin);
  assert.ok(
    findings.some((f) => expected.test(f.message)),
    `expected a finding matching ${expected}, got:\n${findings.map((f) => `  ${f.line}: ${f.message}`).join('\n') || '  (none)'}`,
  );
}

describe('static check of sql/oracle (no Oracle server here)', () => {
  test('every Oracle script passes', async () => {
    const files = (await readdir(ORACLE)).filter((f) => f.endsWith('.sql'));
    assert.ok(files.length >= 4);
    for (const file of files) {
      const findings = await findingsOf(file, await read(file));
      assert.deepEqual(findings, [], `${file}:\n${findings.map((f) => `  ${f.line}: ${f.message}`).join('\n')}`);
    }
  });

  test('the package spec declares the entry points of COMPAT.md with the original signatures', async () => {
    const { units } = checkOracleScript(await read(PACKAGE_FILE));
    const spec = units.find((u) => u.packageName === 'PKGDWPRC' && !u.packageBody)!;
    assert.deepEqual(spec.subprograms.map((s) => s.name).sort(), [
      'CREATE_JOB_DEPENDENCY', 'CREATE_JOB_LOG', 'CREATE_JOB_SCHEDULE', 'ENABLE_DISABLE_SCHEDULE',
      'LOG_JOB_ERROR', 'SCHEDULE_HISTORY_JOB_IMMEDIATE', 'SCHEDULE_JOB_IMMEDIATE', 'STOP_RUNNING_JOB',
    ]);
    const byName = new Map(spec.subprograms.map((s) => [s.name, s]));
    assert.deepEqual(byName.get('CREATE_JOB_LOG')!.params.map((p) => `${p.name} ${p.mode}`), [
      'p_joblogid IN OUT', 'p_sessionid IN', 'p_prcid IN', 'p_prcdt IN', 'p_mapref IN', 'p_jobid IN', 'p_srcrows IN', 'p_trgrows IN', 'p_errrows IN',
    ]);
    assert.deepEqual(byName.get('LOG_JOB_ERROR')!.params.map((p) => p.name), [
      'p_joblogid', 'p_sessionid', 'p_prcid', 'p_prcdt', 'p_jobid', 'p_mapref', 'p_errtyp', 'p_dberrmsg', 'p_errmsg', 'p_keyvalue',
    ]);
    const schedule = byName.get('CREATE_JOB_SCHEDULE')!;
    assert.equal(schedule.kind, 'FUNCTION');
    assert.equal(schedule.returns, 'DWJOBSCH.JOBSCHID%TYPE');
    assert.deepEqual(schedule.params.map((p) => p.name), ['p_mapref', 'p_frqcd', 'p_frqdd', 'p_frqhh', 'p_frqmi', 'p_strtdt', 'p_enddt']);
    assert.deepEqual(byName.get('ENABLE_DISABLE_SCHEDULE')!.params.map((p) => p.name), ['p_mapref', 'p_action']);
    assert.deepEqual(byName.get('CREATE_JOB_DEPENDENCY')!.params.map((p) => p.name), ['p_parent_mapref', 'p_child_mapref']);
    assert.deepEqual(byName.get('SCHEDULE_HISTORY_JOB_IMMEDIATE')!.params.map((p) => `${p.name}${p.default ? `=${p.default}` : ''}`), ['p_mapref', 'p_strtdt', 'p_enddt', "p_tlflg='N'"]);
    assert.deepEqual(byName.get('STOP_RUNNING_JOB')!.params.map((p) => `${p.name} ${p.mode}${p.default ? `=${p.default}` : ''}`), [
      'p_mapref IN', 'p_strtdt IN', "p_force IN='Y'", 'p_err OUT',
    ]);
  });

  // Syntax errors (a missing ";" or "/", an unterminated string, a broken unit in a q-literal) are
  // the grammar's: grammar/scripts.test.ts has those broken copies.
  describe('fails on a broken copy', () => {
    const cases: { name: string; file: string; from: string | RegExp; to: string; expected: RegExp }[] = [
      { name: 'a missing END IF', file: PACKAGE_FILE, from: /(RETURN v_current\.JOBSCHID;\n)(\s*)END IF;/, to: '$1', expected: /END closes IF|never closed|END \w+ closes/ },
      { name: 'a missing "/" at the end of the file', file: '030_dwjobsch_one_current.sql', from: /END;\n\/\n$/, to: 'END;\n', expected: /not followed by a line holding only "\/"/ },
      { name: 'DBMS_SCHEDULER', file: PACKAGE_FILE, from: "v_request_id := ENQUEUE(p_mapref, 'IMMEDIATE', '{}');", to: "DBMS_SCHEDULER.RUN_JOB('JOB_' || p_mapref);", expected: /DBMS_SCHEDULER is not used/ },
      { name: 'ROWNUM beside FOR UPDATE', file: PACKAGE_FILE, from: "AND CURFLG = 'Y'\n     ORDER BY JOBSCHID DESC\n       FOR UPDATE;", to: "AND CURFLG = 'Y' AND ROWNUM = 1\n     ORDER BY JOBSCHID DESC\n       FOR UPDATE;", expected: /ROWNUM beside FOR UPDATE/ },
      { name: 'FETCH FIRST with FOR UPDATE', file: PACKAGE_FILE, from: 'ORDER BY JOBSCHID DESC\n       FOR UPDATE;', to: 'ORDER BY JOBSCHID DESC\n     FETCH FIRST 1 ROWS ONLY\n       FOR UPDATE;', expected: /FETCH FIRST with FOR UPDATE/ },
      { name: "a body parameter that differs from the spec's", file: PACKAGE_FILE, from: /(PROCEDURE ENABLE_DISABLE_SCHEDULE\(p_mapref IN DWJOBSCH\.MAPREF%TYPE,\s+p_action IN VARCHAR2\) IS)/, to: 'PROCEDURE ENABLE_DISABLE_SCHEDULE(p_mapref IN DWJOBSCH.MAPREF%TYPE,\n                                    p_action IN CHAR) IS', expected: /ENABLE_DISABLE_SCHEDULE: the body's header differs from the spec's/ },
      { name: 'a spec entry without a body', file: PACKAGE_FILE, from: '  -- Queues one run of the MAPREF now.\n', to: '  -- Queues one run of the MAPREF now.\n  PROCEDURE SCHEDULE_ALL_JOBS;\n', expected: /SCHEDULE_ALL_JOBS is declared in the spec of PKGDWPRC but has no body/ },
      { name: 'an identifier longer than 30 characters', file: '030_dwjobsch_one_current.sql', from: 'v_duplicates PLS_INTEGER;', to: 'v_duplicates_of_current_schedules PLS_INTEGER;', expected: /longer than 30 characters/ },
      // A lost quote re-pairs the later ones: the damage shows up wherever the structure breaks.
      { name: 'a lost quote in the middle of the package', file: PACKAGE_FILE, from: "'Mapping reference not provided.'", to: "'Mapping reference not provided.", expected: /unterminated|text after the end|never closed|closes|has no body/ },
      { name: 'a parameter renamed on one side of the twin', file: PACKAGE_FILE, from: /p_parent_mapref/g, to: 'p_parent', expected: /CREATE_JOB_DEPENDENCY: parameters differ from the PostgreSQL twin/ },
      { name: 'a variable that could capture a column', file: PACKAGE_FILE, from: '    v_mapref   DWJOBSCH.MAPREF%TYPE;\n', to: '    mapref     DWJOBSCH.MAPREF%TYPE;\n    v_mapref   DWJOBSCH.MAPREF%TYPE;\n', expected: /mapref: variables, constants and exceptions are named/ },
      { name: 'a private function used before its definition', file: PACKAGE_FILE, from: "    IF p_frqcd IN ('MN', 'HY', 'YR') AND NOT NUMBER_BETWEEN", to: "    IF JSON_PAIR('a', 'b') IS NULL THEN\n      RETURN NULL;\n    END IF;\n    IF p_frqcd IN ('MN', 'HY', 'YR') AND NOT NUMBER_BETWEEN", expected: /JSON_PAIR is used before its definition/ },
      { name: 'an "&" that SQL*Plus would prompt for', file: '001_dw_tables.sql', from: '-- Sequences start at 1', to: '-- Sequences & friends start at 1', expected: /substitution variable/ },
      { name: 'a plain statement ending with ";" before "/"', file: '030_dwjobsch_one_current.sql', from: /$/, to: 'COMMENT ON TABLE DWJOBSCH IS \'schedules\';\n/\n', expected: /SQL\*Plus would run it twice/ },
      { name: 'unguarded DDL', file: '030_dwjobsch_one_current.sql', from: /$/, to: 'CREATE INDEX DWJOBSCH_X ON DWJOBSCH (MAPREF)\n/\n', expected: /DDL outside a PL\/SQL block/ },
      { name: 'an INSERT with more columns than values', file: PACKAGE_FILE, from: "p_mapref, p_request_type, p_payload, 'NEW', SYSTIMESTAMP)", to: "p_mapref, p_request_type, p_payload, 'NEW')", expected: /INSERT INTO DWPRCREQ: 6 columns but 5 values/ },
      { name: 'an unknown column in an INSERT', file: PACKAGE_FILE, from: 'INSERT INTO DWJOBLOG (JOBLOGID, PRCDT,', to: 'INSERT INTO DWJOBLOG (JOBLOGID, PROCDT,', expected: /INSERT INTO DWJOBLOG: no column PROCDT/ },
      { name: 'an unknown column in an UPDATE', file: PACKAGE_FILE, from: 'SET SCHFLG = v_flag,', to: 'SET SCHFLAG = v_flag,', expected: /UPDATE DWJOBSCH SET SCHFLAG: no such column/ },
      { name: 'an unknown column in a %TYPE anchor', file: PACKAGE_FILE, from: 'p_mapref IN DWJOBSCH.MAPREF%TYPE);\n\n  -- Queues a history', to: 'p_mapref IN DWJOBSCH.MAPRF%TYPE);\n\n  -- Queues a history', expected: /DWJOBSCH\.MAPRF%TYPE: no such column/ },
      { name: 'an unknown column in a SELECT list', file: PACKAGE_FILE, from: 'SCHFLG, DPND_JOBSCHID, LST_RUN_DT', to: 'SCHFLG, DEPEND_JOBSCHID, LST_RUN_DT', expected: /SELECT … FROM DWJOBSCH: no column DEPEND_JOBSCHID/ },
      { name: 'an END label naming the wrong subprogram', file: PACKAGE_FILE, from: 'END LOCK_CURRENT;', to: 'END SAVE_SCHEDULE;', expected: /END SAVE_SCHEDULE closes SUBPROGRAM LOCK_CURRENT/ },
      { name: 'a bind placeholder in a script', file: PACKAGE_FILE, from: "WHERE PRCID = p_prcid\n       AND STATUS IN ('IP', 'FL')", to: "WHERE PRCID = :prcid\n       AND STATUS IN ('IP', 'FL')", expected: /bind placeholder :prcid/ },
      { name: 'EXECUTE IMMEDIATE in the package body', file: PACKAGE_FILE, from: "    v_request_id := ENQUEUE(p_mapref, 'IMMEDIATE', '{}');", to: "    EXECUTE IMMEDIATE 'DELETE FROM DWPRCREQ WHERE MAPREF = ''' || p_mapref || '''';\n    v_request_id := ENQUEUE(p_mapref, 'IMMEDIATE', '{}');", expected: /EXECUTE IMMEDIATE in a package body/ },
      { name: 'a function that never returns', file: PACKAGE_FILE, from: "    IF p_value IS NULL THEN\n      RETURN NULL;\n    END IF;\n    RETURN ',\"' || p_name || '\":\"' || p_value || '\"';", to: '    NULL;', expected: /FUNCTION JSON_PAIR never RETURNs a value/ },
      { name: 'a loop record without a prefix', file: '002_pkgerr.sql', from: /v_error/g, to: 'err', expected: /loop record err must be named v_/ },
    ];
    for (const c of cases) {
      test(c.name, async () => assertFinds(c.file, await broken(c.file, c.from, c.to), c.expected));
    }

    test('a PostgreSQL routine missing from the Oracle package', async () => {
      const twin = postgresTwin().then((routines) => [...routines, { name: 'refresh_schedule', params: [{ name: 'p_mapref', mode: 'in', default: null }] }]);
      await assertFinds(PACKAGE_FILE, await read(PACKAGE_FILE), /pkgdwprc\.refresh_schedule exists in PostgreSQL but not in the Oracle package/, twin);
    });

    test('a default that differs between Oracle and PostgreSQL', async () => {
      const twin = postgresTwin().then((routines) =>
        routines.map((r) => (r.name === 'stop_running_job' ? { ...r, params: r.params.map((p) => (p.name === 'p_force' ? { ...p, default: "'N'" } : p)) } : r)),
      );
      await assertFinds(PACKAGE_FILE, await read(PACKAGE_FILE), /STOP_RUNNING_JOB: parameters differ from the PostgreSQL twin/, twin);
    });
  });
});
