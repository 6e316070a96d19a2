import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Dialect } from '../../src/db/dialects/dialect.js';
import { OracleDialect, openingValuesQuery, type OracleRunConnection, OracleRunSession, oracleValueQuery } from '../../src/db/dialects/oracle.js';
import { closeRunStatement, CURRENT_JOB, currentJobIdQuery, insertJobLogStatement, insertRunStatement, jobLogTotalsQuery, recordPrcidStatement } from '../../src/db/runRow.js';
import { writeProgressStatement } from '../../src/engine/historyProgress.js';
import { listRunsQuery } from '../../src/engine/listRuns.js';
import { staleRunsQuery } from '../../src/engine/openRun.js';
import { truncateStatement, targetTableQuery } from '../../src/engine/truncateTarget.js';
import { errorCountQuery, lastJobLogQuery, runIdentityQuery, runStatusQuery } from '../../src/engine/closeRun.js';
import { lastErrorStatement } from '../../src/engine/flowContext.js';
import { readProgressQuery } from '../../src/engine/historyProgress.js';
import { insertJobErrorStatement } from '../../src/engine/jobRecords.js';
import { deleteRunLogsStatements, endedRunsPage, prunableCounts } from '../../src/engine/pruneRunLogs.js';
import { reportSqlQuery } from '../../src/engine/reports/findReportSql.js';
import { currentFlowQuery } from '../../src/engine/resolveFlow.js';
import { histLoadStartQuery } from '../../src/engine/runHistory.js';
import { assertOracleSql, compileOnlyOracle } from './oracleSqlRules.js';

/**
 * No Oracle server here: the engine's Oracle SQL is pinned on its compiled text, and the run
 * session's driver calls on a recording fake of the oracledb Connection.
 */

/** Records what the run session asks of the driver; every query answers one row {v: 42}. */
class RecordingConnection implements OracleRunConnection {
  calls: { call: string; args: unknown[] }[] = [];
  module?: string;
  action?: string;
  clientId?: string;
  async execute(...args: unknown[]) {
    this.calls.push({ call: 'execute', args });
    return { rows: [{ v: 42 }] } as never;
  }
  async commit() {
    this.calls.push({ call: 'commit', args: [] });
  }
  async rollback() {
    this.calls.push({ call: 'rollback', args: [] });
  }
  async break() {
    this.calls.push({ call: 'break', args: [] });
  }
  async close(...args: unknown[]) {
    this.calls.push({ call: 'close', args });
  }
  names() {
    return this.calls.map((c) => c.call);
  }
}

describe('engine on Oracle: compiled SQL and driver calls', () => {
  let dialect: OracleDialect;
  before(async () => {
    // createPool does not connect (poolMin 0): the dialect compiles SQL without a server.
    dialect = await OracleDialect.create({ user: 'u', password: 'p', connectString: '127.0.0.1:9/none', schema: null, tablePrefix: 'DW', poolMax: 1 });
  });
  after(() => dialect.close());

  const owner = { requestId: 'R1', claimedBy: 'h:1:s0' };

  test('one value comes FROM DUAL: sequence values and the session id', () => {
    assert.equal(oracleValueQuery(dialect.nextValue('dwprclogseq')).compile(dialect.db).sql, 'SELECT DWPRCLOGSEQ.NEXTVAL AS "v" FROM DUAL');
    assert.equal(oracleValueQuery(dialect.sessionId()).compile(dialect.db).sql, `SELECT TO_NUMBER(SYS_CONTEXT('USERENV', 'SESSIONID')) AS "v" FROM DUAL`);
  });

  test('the IP row: database clock for STRTDT/RECCRDT/RECUPDT, every value a bind', () => {
    const params = ['05-Mar-2027', null, 'x', null, null, null, null, null, null, null];
    const prclog = 'Parameters used: DWT_PARAM1=05-Mar-2027 , DWT_PARAM3=x';
    const q = insertRunStatement(dialect.db, dialect, 11, { sessionId: 4711, mapref: 'M1', jobid: 3, jobflwid: 9, prclog, params }).compile();
    assert.equal(
      q.sql,
      'insert into "DWPRCLOG" ("PRCID", "JOBID", "JOBFLWID", "STRTDT", "RECCRDT", "RECUPDT", "STATUS", "PRCLOG", "SESSIONID", "MAPREF", ' +
        '"PARAM1", "PARAM2", "PARAM3", "PARAM4", "PARAM5", "PARAM6", "PARAM7", "PARAM8", "PARAM9", "PARAM10") ' +
        'values (:1, :2, :3, CAST(SYSTIMESTAMP AS TIMESTAMP), CAST(SYSTIMESTAMP AS TIMESTAMP), CAST(SYSTIMESTAMP AS TIMESTAMP), :4, :5, :6, :7, :8, :9, :10, :11, :12, :13, :14, :15, :16, :17)',
    );
    assert.deepEqual(q.parameters.slice(0, 7), [11, 3, 9, 'IP', 'Parameters used: DWT_PARAM1=05-Mar-2027 , DWT_PARAM3=x', 4711, 'M1']);
  });

  test('PRCID on the request and history progress are guarded by CLAIMED_BY and CLAIMED', () => {
    const guard = 'where "REQUEST_ID" = :2 and "CLAIMED_BY" = :3 and "STATUS" = :4';
    const prcid = recordPrcidStatement(dialect.db, owner, 11).compile();
    assert.equal(prcid.sql, `update "DWPRCREQ" set "PRCID" = :1 ${guard}`);
    assert.deepEqual(prcid.parameters, [11, 'R1', 'h:1:s0', 'CLAIMED']);
    const progress = writeProgressStatement(dialect.db, owner, { from: '2027-03-01', to: '2027-03-05', done: null }).compile();
    assert.equal(progress.sql, `update "DWPRCREQ" set "PROGRESS" = :1 ${guard}`);
  });

  test('the close: this PRCID only, IP or (FL and still owned), no boolean literal Oracle lacks', () => {
    const q = closeRunStatement(dialect.db, dialect, { prcid: 11, status: 'ST', message: 'Stopped by stop request S', owner }).compile();
    assert.equal(
      q.sql,
      'update "DWPRCLOG" set "STATUS" = :1, "ENDDT" = CAST(SYSTIMESTAMP AS TIMESTAMP), "RECUPDT" = CAST(SYSTIMESTAMP AS TIMESTAMP), "MSG" = :2 ' +
        'where "PRCID" = :3 and ("STATUS" = :4 or ("STATUS" = :5 and exists (select "DWPRCREQ"."REQUEST_ID" from "DWPRCREQ" ' +
        'where "DWPRCREQ"."REQUEST_ID" = :6 and "DWPRCREQ"."CLAIMED_BY" = :7 and "DWPRCREQ"."STATUS" = :8 and "DWPRCREQ"."PRCID" = :9)))',
    );
    assert.deepEqual(q.parameters, ['ST', 'Stopped by stop request S', 11, 'IP', 'FL', 'R1', 'h:1:s0', 'CLAIMED', 11]);
    const pc = closeRunStatement(dialect.db, dialect, { prcid: 11, status: 'PC', message: null, owner: null }).compile();
    assert.equal(pc.sql, 'update "DWPRCLOG" set "STATUS" = :1, "ENDDT" = CAST(SYSTIMESTAMP AS TIMESTAMP), "RECUPDT" = CAST(SYSTIMESTAMP AS TIMESTAMP) where "PRCID" = :2 and "STATUS" = :3');
  });

  test('a PC close never overwrites a row someone else closed (FL with an ENDDT): left as it is, or ST naming the stop when one reached the run', () => {
    const ours = 'exists (select "DWPRCREQ"."REQUEST_ID" from "DWPRCREQ" where "DWPRCREQ"."REQUEST_ID" = :{a} and "DWPRCREQ"."CLAIMED_BY" = :{b} and "DWPRCREQ"."STATUS" = :{c} and "DWPRCREQ"."PRCID" = :{d})';
    const at = (n: number) => ours.replace('{a}', String(n)).replace('{b}', String(n + 1)).replace('{c}', String(n + 2)).replace('{d}', String(n + 3));
    const pc = closeRunStatement(dialect.db, dialect, { prcid: 11, status: 'PC', message: null, owner }).compile();
    assert.equal(
      pc.sql,
      'update "DWPRCLOG" set "STATUS" = :1, "ENDDT" = CAST(SYSTIMESTAMP AS TIMESTAMP), "RECUPDT" = CAST(SYSTIMESTAMP AS TIMESTAMP) ' +
        `where "PRCID" = :2 and ("STATUS" = :3 or ("STATUS" = :4 and "ENDDT" is null and ${at(5)}))`,
    );
    const stopped = closeRunStatement(dialect.db, dialect, { prcid: 11, status: 'PC', message: null, owner, whenClosedElsewhere: { status: 'ST', message: 'Stopped by stop request S' } });
    const q = assertOracleSql(stopped, { binds: ['Stopped by stop request S'] });
    assert.equal(
      q.sql,
      'update "DWPRCLOG" set "STATUS" = case when ("STATUS" = :1 and "ENDDT" is not null) then :2 else :3 end, "ENDDT" = CAST(SYSTIMESTAMP AS TIMESTAMP), "RECUPDT" = CAST(SYSTIMESTAMP AS TIMESTAMP), ' +
        '"MSG" = case when ("STATUS" = :4 and "ENDDT" is not null) then :5 else "MSG" end ' +
        `where "PRCID" = :6 and ("STATUS" = :7 or ("STATUS" = :8 and ${at(9)}))`,
    );
    assert.deepEqual(q.parameters.slice(0, 5), ['FL', 'ST', 'PC', 'FL', 'Stopped by stop request S']);
  });

  test('a DWJOBLOG row without an id takes DWJOBLOGSEQ.NEXTVAL in the insert itself', () => {
    const run = { prcid: 11, jobid: 3, mapref: 'M1', sessionId: 4711 };
    const q = insertJobLogStatement(dialect.db, dialect, { run, joblogid: null, counts: { source: 5, target: 4, errors: 1 } }).compile();
    assert.equal(
      q.sql,
      'insert into "DWJOBLOG" ("JOBLOGID", "PRCDT", "JOBID", "MAPREF", "SRCROWS", "TRGROWS", "ERRROWS", "RECCRDT", "PRCID", "SESSIONID") ' +
        'values (DWJOBLOGSEQ.NEXTVAL, CAST(SYSTIMESTAMP AS TIMESTAMP), :1, :2, :3, :4, :5, CAST(SYSTIMESTAMP AS TIMESTAMP), :6, :7)',
    );
    assert.deepEqual(q.parameters, [3, 'M1', 5, 4, 1, 11, 4711]);
    assert.deepEqual(insertJobLogStatement(dialect.db, dialect, { run, joblogid: 77, counts: { source: 0, target: 0, errors: 0 } }).compile().parameters.slice(0, 1), [77]);
  });

  test('a DMS_ prefix renames the tables of the close', async () => {
    const dms = await OracleDialect.create({ user: 'u', password: 'p', connectString: '127.0.0.1:9/none', schema: null, tablePrefix: 'DMS_', poolMax: 1 });
    try {
      const q = closeRunStatement(dms.db, dms, { prcid: 1, status: 'FL', message: 'x', owner }).compile();
      assert.match(q.sql, /^update "DMS_PRCLOG" .* from "DMS_PRCREQ" where "DMS_PRCREQ"\."REQUEST_ID"/);
      assert.equal(oracleValueQuery(dms.nextValue('dwprclogseq')).compile(dms.db).sql, 'SELECT DMS_PRCLOGSEQ.NEXTVAL AS "v" FROM DUAL');
    } finally {
      await dms.close();
    }
  });

  test('truncate-and-load quotes upper-case names, as unquoted Oracle names are', () => {
    assert.equal(truncateStatement(dialect, 'dw_stage', 'Sales_Fact'), 'TRUNCATE TABLE "DW_STAGE"."SALES_FACT"');
    assert.equal(truncateStatement(dialect, null, 'SALES$HIST'), 'TRUNCATE TABLE "SALES$HIST"');
    assert.throws(() => truncateStatement(dialect, null, 'a"b'), /must be a plain identifier/);
  });

  test('dwprc logs: FETCH FIRST (Oracle has no LIMIT), aliases without AS, counts and errors per PRCID', () => {
    const q = listRunsQuery(dialect.db, 'M1', 20).compile();
    const per = (what: string, table: string, alias: string, as: string) => `(select ${what} "N" from "${table}" "${alias}" where "${alias}"."PRCID" = "R"."PRCID") "${as}"`;
    assert.equal(
      q.sql,
      'select "R"."PRCID", "R"."MAPREF", "R"."STATUS", "R"."STRTDT", "R"."ENDDT", "R"."MSG", ' +
        '"R"."PARAM1", "R"."PARAM2", "R"."PARAM3", "R"."PARAM4", "R"."PARAM5", "R"."PARAM6", "R"."PARAM7", "R"."PARAM8", "R"."PARAM9", "R"."PARAM10", ' +
        `${per('count(*)', 'DWJOBLOG', 'L', 'JOB_LOGS')}, ${per('sum("L"."SRCROWS")', 'DWJOBLOG', 'L', 'SRC_ROWS')}, ` +
        `${per('sum("L"."TRGROWS")', 'DWJOBLOG', 'L', 'TRG_ROWS')}, ${per('sum("L"."ERRROWS")', 'DWJOBLOG', 'L', 'ERR_ROWS')}, ` +
        `${per('count(*)', 'DWJOBERR', 'E', 'ERROR_COUNT')}, ` +
        '(select "E"."ERRMSG" from "DWJOBERR" "E" where "E"."PRCID" = "R"."PRCID" order by "E"."ERRID" desc fetch first :1 rows only) "LAST_ERROR" ' +
        'from "DWPRCLOG" "R" where "R"."MAPREF" = :2 order by "R"."PRCID" desc fetch first :3 rows only',
    );
    assert.deepEqual(q.parameters, [1, 'M1', 20]);
  });

  test('opening a run: sequence, IP row and guarded PRCID in one transaction, rolled back when the claim is gone; tagged before the IP row is sent', async () => {
    const row = { sessionId: 4711, mapref: 'M1', jobid: 3, jobflwid: 9, prclog: 'Parameters used: none', params: [] };
    const now = new Date(Date.UTC(2027, 2, 5, 23, 30));
    const cases = [
      [row, 1, { prcid: 42, jobid: 3, openedAt: now }, 'commit'],
      [row, 0, null, 'rollback'],
      // A TypeScript flow: the JOBID comes with the PRCID and the clock, and goes into the INSERT as a value.
      [{ ...row, jobid: CURRENT_JOB }, 1, { prcid: 42, jobid: 8, openedAt: now }, 'commit'],
    ] as const;
    for (const [opening, rowsAffected, expected, end] of cases) {
      const connection = new RecordingConnection();
      const sentWith: (string | undefined)[] = [];
      connection.execute = async (...args: unknown[]) => {
        connection.calls.push({ call: 'execute', args });
        sentWith.push(connection.clientId);
        return { rows: [{ v: 42, p: 42, t: now, j: 8 }], rowsAffected } as never;
      };
      const session = await OracleRunSession.open(connection, 'DW', dialect.sessionId());
      connection.calls = [];
      sentWith.length = 0;
      assert.deepEqual(await dialect.openRunRow(session, opening, owner), expected);
      assert.ok((connection.calls[1]!.args[1] as unknown[]).includes(expected?.jobid ?? 3), 'the JOBID is a bind of the INSERT');
      // CLIENT_IDENTIFIER rides on the INSERT: a reaper that sees the IP row finds the session (fencing).
      assert.deepEqual(sentWith, [undefined, '42', '42'], 'the tag goes with the INSERT and the PRCID update');
      assert.deepEqual([connection.module, connection.action, connection.clientId], expected ? ['dwprc', 'M1', '42'] : ['', '', ''], 'tagged when opened, untagged when the claim was gone');
      assert.deepEqual(connection.names(), ['execute', 'execute', 'execute', end]);
      assert.deepEqual(
        connection.calls[0]!.args[0],
        opening.jobid === CURRENT_JOB
          ? 'SELECT DWPRCLOGSEQ.NEXTVAL AS "p", SYS_EXTRACT_UTC(SYSTIMESTAMP) AS "t", (select max("JOBID") "JOBID" from "DWJOB" where "MAPREF" = :1 and "CURFLG" = :2) AS "j" FROM DUAL'
          : 'SELECT DWPRCLOGSEQ.NEXTVAL AS "p", SYS_EXTRACT_UTC(SYSTIMESTAMP) AS "t", NULL AS "j" FROM DUAL',
      );
      assert.deepEqual(
        connection.calls.slice(1, 3).map((c) => String(c.args[0]).slice(0, 28)),
        ['insert into "DWPRCLOG" ("PRC', 'update "DWPRCREQ" set "PRCID'],
      );
    }
  });

  test('closing a run with its DWJOBLOG row: one transaction, the row only if the close took effect, then its totals; the request\'s completion left to the worker', async () => {
    const close = { prcid: 11, status: 'PC' as const, message: null, owner: null };
    const jobLog = { run: { prcid: 11, jobid: 3, mapref: 'M1', sessionId: 4711 }, joblogid: null, counts: { source: 1, target: 1, errors: 0 } };
    for (const [rowsAffected, closed, calls] of [[1, true, ['execute', 'execute', 'execute', 'commit']], [0, false, ['execute', 'execute', 'commit']]] as const) {
      const connection = new RecordingConnection();
      connection.execute = async (...args: unknown[]) => {
        connection.calls.push({ call: 'execute', args });
        return { rows: [{ v: 42, LOGS: 0 }], rowsAffected } as never;
      };
      const session = await OracleRunSession.open(connection, 'DW', dialect.sessionId());
      connection.calls = [];
      // Offered the request's completion too, Oracle leaves it to the worker: no DWPRCREQ statement.
      const completion = { owner: { requestId: 'R1', claimedBy: 'me' }, payloadHead: '{"status":"DONE"', mapref: 'M1', pending: () => sql`select 1 from dual` };
      assert.deepEqual(await (dialect as Dialect).closeRunRow(session, close, jobLog, completion), { closed, completed: false, counts: null });
      assert.deepEqual(connection.names(), calls);
      assert.match(String(connection.calls[0]!.args[0]), /^update "DWPRCLOG" set "STATUS"/);
      assert.equal(
        connection.calls.at(-2)!.args[0],
        'select count(*) "LOGS", sum("SRCROWS") "SOURCE", sum("TRGROWS") "TARGET", sum("ERRROWS") "ERRORS" from "DWJOBLOG" where "PRCID" in (:1)',
      );
    }
  });

  test('queueing requests and advancing schedules: one statement per row (no multi-row VALUES before 23ai)', async () => {
    const connection = new RecordingConnection();
    const session = await OracleRunSession.open(connection, 'DW', dialect.sessionId());
    connection.calls = [];
    const at = new Date(Date.UTC(2027, 2, 5, 6, 0));
    await dialect.insertRequests(session.db, [
      { requestId: 'S1-202703050600', mapref: 'A', requestType: 'IMMEDIATE', payload: '{}' },
      { requestId: 'S2-202703050600', mapref: 'B', requestType: 'IMMEDIATE', payload: '{}' },
    ]);
    await dialect.advanceSchedules(session.db, [
      { jobschid: 1, nxtRunDt: at, lstRunDt: at, skipped: { last: at, count: 3 } },
      { jobschid: 2, nxtRunDt: null, lstRunDt: null, skipped: null },
    ]);
    assert.deepEqual(
      connection.calls.map((c) => c.args[0]),
      [
        'insert into "DWPRCREQ" ("REQUEST_ID", "MAPREF", "REQUEST_TYPE", "PAYLOAD", "STATUS", "REQUESTED_AT") values (:1, :2, :3, :4, :5, CAST(SYSTIMESTAMP AS TIMESTAMP))',
        'insert into "DWPRCREQ" ("REQUEST_ID", "MAPREF", "REQUEST_TYPE", "PAYLOAD", "STATUS", "REQUESTED_AT") values (:1, :2, :3, :4, :5, CAST(SYSTIMESTAMP AS TIMESTAMP))',
        'update "DWJOBSCH" set "NXT_RUN_DT" = :1, "LST_RUN_DT" = :2, "LST_SKIP_DT" = :3, "LST_SKIP_CNT" = :4 where "JOBSCHID" = :5',
        'update "DWJOBSCH" set "NXT_RUN_DT" = :1 where "JOBSCHID" = :2',
      ],
    );
  });

  test('run session: its Kysely uses the one connection and never closes it; tags, block, break, release', async () => {
    const connection = new RecordingConnection();
    const session = await OracleRunSession.open(connection, 'DW', dialect.sessionId());
    assert.equal(session.sessionId, 42);
    assert.deepEqual(connection.calls[0]!.args[0], `SELECT TO_NUMBER(SYS_CONTEXT('USERENV', 'SESSIONID')) AS "v" FROM DUAL`);

    await session.db.transaction().execute((trx) => recordPrcidStatement(trx, owner, 11).execute());
    await sql`SELECT 1 FROM DUAL`.execute(session.db);
    assert.deepEqual(connection.names(), ['execute', 'execute', 'commit', 'execute'], 'transactions commit on the connection; Kysely never closes it');

    session.tag({ mapref: 'A_VERY_LONG_MAPPING_REFERENCE_NAME_OVER_32', prcid: 4711 });
    assert.deepEqual([connection.module, connection.action, connection.clientId], ['dwprc', 'A_VERY_LONG_MAPPING_REFERENCE_NA', '4711']);

    await session.commit();
    assert.equal(connection.calls.at(-1)!.call, 'commit', 'Oracle commits the flow\'s work always');

    const block = 'BEGIN\n  PKG_LOAD.RUN;\nEND;';
    await session.runBlock(block);
    assert.deepEqual(connection.calls.at(-1), { call: 'execute', args: [block] }, 'the block verbatim, no binds');

    await session.cancel();
    assert.equal(connection.calls.at(-1)!.call, 'break');

    await session.release();
    await session.release();
    assert.deepEqual([connection.module, connection.action, connection.clientId], ['', '', '']);
    assert.deepEqual(connection.calls.filter((c) => c.call === 'close'), [{ call: 'close', args: [{ drop: false }] }], 'released once, back to the pool');

    const broken = new RecordingConnection();
    const discarded = await OracleRunSession.open(broken, 'DW', dialect.sessionId());
    await discarded.release({ discard: true });
    assert.deepEqual(broken.calls.at(-1), { call: 'close', args: [{ drop: true }] });
  });
});

describe('engine statements on Oracle: every one against the ORACLE.md rules', () => {
  const d = compileOnlyOracle();
  const owner = { requestId: 'req-e1', claimedBy: 'host-e:1:s0' };
  const run = { prcid: 5, jobid: 3, mapref: 'MAP_ENG', sessionId: 4711 };

  test('what a run reads before it starts: flow, job, truncate target, history start and progress, report SQL', () => {
    assert.equal(assertOracleSql(currentFlowQuery(d.db, 'MAP_ENG'), { binds: ['MAP_ENG'] }).sql, 'select "JOBFLWID", "JOBID", "DWLOGIC" from "DWJOBFLW" where "MAPREF" = :1 and "CURFLG" = :2 and "STFLG" = :3 order by "JOBFLWID" desc');
    const job = assertOracleSql(currentJobIdQuery(d.db, 'MAP_ENG'), { binds: ['MAP_ENG'] });
    assert.equal(job.sql, 'select max("JOBID") "JOBID" from "DWJOB" where "MAPREF" = :1 and "CURFLG" = :2');
    assertOracleSql(targetTableQuery(d, 'MAP_ENG'), { binds: ['MAP_ENG'] });
    assert.equal(assertOracleSql(histLoadStartQuery(d.db), { binds: ['HIST_LOAD', 'DWT_PARAM1'] }).sql, 'select "PRVAL" from "DWPARAMS" where "PRTYP" = :1 and "PRCD" = :2');
    assertOracleSql(readProgressQuery(d.db, owner.requestId), { binds: [owner.requestId] });
    assertOracleSql(reportSqlQuery(d.db, 'SALES_BY_DAY'), { binds: ['SALES_BY_DAY'] });
    // The later tool's naming of the same table (MAPRSQLID / MAPRSQLCD / MAPRSQL).
    assert.equal(
      assertOracleSql(reportSqlQuery(d.db, 'SALES_BY_DAY', 'later'), { binds: ['SALES_BY_DAY'] }).sql,
      'select "MAPRSQL" "BODY" from "DWMAPRSQL" where "MAPRSQLCD" = :1 and "CURFLG" = :2 order by "MAPRSQLID" desc',
    );
  });

  test('open: stale IP rows of the session, the PRCID from its sequence, the IP row, PRCID on the request', () => {
    assertOracleSql(staleRunsQuery(d.db, 4711), { binds: [4711] });
    assertOracleSql(openingValuesQuery(d.db, d, { sessionId: 4711, mapref: 'MAP_ENG', jobid: CURRENT_JOB, jobflwid: null, prclog: 'Parameters used: none', params: [] }).compile(d.db), { binds: ['MAP_ENG'] });
    assertOracleSql(insertRunStatement(d.db, d, 11, { sessionId: 4711, mapref: 'MAP_ENG', jobid: 3, jobflwid: 9, prclog: 'Parameters used: 05-Mar-2027', params: ['05-Mar-2027', ...Array(9).fill(null)] }), { binds: ['MAP_ENG', '05-Mar-2027'] });
    assertOracleSql(recordPrcidStatement(d.db, owner, 11), { binds: [owner.requestId, owner.claimedBy, 11] });
  });

  test('close: the guarded update, the run identity, DWJOBLOG and DWJOBERR rows (ids from their sequences), history progress', () => {
    assertOracleSql(closeRunStatement(d.db, d, { prcid: 11, status: 'FL', message: 'it broke', owner }), { binds: ['it broke', owner.requestId, owner.claimedBy] });
    assertOracleSql(runIdentityQuery(d.db, 11), { binds: [11] });
    assert.equal(assertOracleSql(runStatusQuery(d.db, 11)).sql, 'select "STATUS" from "DWPRCLOG" where "PRCID" = :1');
    assert.equal(assertOracleSql(errorCountQuery(d.db, 11)).sql, 'select count(*) "N" from "DWJOBERR" where "PRCID" = :1 and "ERRTYP" = :2');
    assert.equal(assertOracleSql(lastJobLogQuery(d.db, 11)).sql, 'select max("JOBLOGID") "ID" from "DWJOBLOG" where "PRCID" = :1');
    const error = assertOracleSql(insertJobErrorStatement(d.db, d, run, { joblogid: 0, type: 'ERR', message: 'no source file', dbMessage: 'ORA-29283: invalid file', key: 'FILE=x' }), {
      binds: ['no source file', 'ORA-29283: invalid file', 'FILE=x', 'MAP_ENG'],
    });
    assert.equal(
      error.sql,
      'insert into "DWJOBERR" ("JOBLOGID", "ERRID", "PRCDT", "JOBID", "MAPREF", "ERRTYP", "DBERRMSG", "ERRMSG", "KEYVALUE", "RECCRDT", "PRCID", "SESSIONID") ' +
        'values (:1, DWJOBERRSEQ.NEXTVAL, CAST(SYSTIMESTAMP AS TIMESTAMP), :2, :3, :4, :5, :6, :7, CAST(SYSTIMESTAMP AS TIMESTAMP), :8, :9)',
    );
    const log = assertOracleSql(insertJobLogStatement(d.db, d, { run, joblogid: 12, counts: { source: 10, target: 9, errors: 1 } }), { binds: [12, 'MAP_ENG', 10, 9] });
    assert.equal(
      log.sql,
      'insert into "DWJOBLOG" ("JOBLOGID", "PRCDT", "JOBID", "MAPREF", "SRCROWS", "TRGROWS", "ERRROWS", "RECCRDT", "PRCID", "SESSIONID") ' +
        'values (:1, CAST(SYSTIMESTAMP AS TIMESTAMP), :2, :3, :4, :5, :6, CAST(SYSTIMESTAMP AS TIMESTAMP), :7, :8)',
    );
    assertOracleSql(oracleValueQuery(d.nextValue('dwjoblogseq')).compile(d.db));
    assertOracleSql(writeProgressStatement(d.db, owner, { from: '2027-03-01', to: '2027-03-05', done: '2027-03-02' }), { binds: [owner.requestId, '{"from":"2027-03-01","to":"2027-03-05","done":"2027-03-02"}'] });
  });

  test('a TypeScript flow error: MSG of the IP row; the counts of a request runs', () => {
    assertOracleSql(lastErrorStatement(d.db, d, 11, 'row 17 rejected'), { binds: ['row 17 rejected', 11] });
    const counts = assertOracleSql(jobLogTotalsQuery(d.db, [11, 12]), { binds: [11, 12] });
    assert.equal(counts.sql, 'select count(*) "LOGS", sum("SRCROWS") "SOURCE", sum("TRGROWS") "TARGET", sum("ERRROWS") "ERRORS" from "DWJOBLOG" where "PRCID" in (:1, :2)');
  });

  test('dwprc logs and prune --include-logs: counts with IN (subquery), deletes by PRCID pages, never an IP row', () => {
    assertOracleSql(listRunsQuery(d.db, 'MAP_ENG', 20), { binds: ['MAP_ENG', 20] });
    const cutoff = d.localNowPlus(-86_400_000);
    const counts = prunableCounts(d.db, cutoff);
    for (const q of [counts.runs, counts.jobLogs, counts.jobErrors]) assertOracleSql(q, { binds: [-86_400] });
    assert.match(counts.jobErrors.compile().sql, /^select count\(\*\) "N" from "DWJOBERR" where "PRCID" in \(select "PRCID" from "DWPRCLOG" where "STATUS" in \(:1, :2, :3\)/);
    assertOracleSql(endedRunsPage(d.db, cutoff, 41, 500), { binds: [41, 500] });
    const deletes = deleteRunLogsStatements(d.db, [41, 42]);
    assert.equal(assertOracleSql(deletes.errors, { binds: [41, 42] }).sql, 'delete from "DWJOBERR" where "PRCID" in (:1, :2)');
    assert.equal(assertOracleSql(deletes.logs, { binds: [41, 42] }).sql, 'delete from "DWJOBLOG" where "PRCID" in (:1, :2)');
    assert.equal(assertOracleSql(deletes.runs, { binds: [41, 42] }).sql, 'delete from "DWPRCLOG" where "PRCID" in (:1, :2) and "STATUS" in (:3, :4, :5)');
  });

  test('the run protocol commits and rolls back the run session with plain COMMIT / ROLLBACK statements', () => {
    assert.equal(sql`commit`.compile(d.db).sql, 'commit');
    assert.equal(sql`rollback`.compile(d.db).sql, 'rollback');
  });
});
