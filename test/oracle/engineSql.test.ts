import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { OracleDialect, type OracleRunConnection, OracleRunSession, oracleValueQuery } from '../../src/db/dialects/oracle.js';
import { closeRunStatement, insertJobLogStatement, insertRunStatement, recordPrcidStatement } from '../../src/db/runRow.js';
import { writeProgressStatement } from '../../src/engine/historyProgress.js';
import { listRunsQuery } from '../../src/engine/listRuns.js';
import { childSchedulesQuery } from '../../src/scheduler/fanOut.js';
import { truncateStatement } from '../../src/engine/truncateTarget.js';

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
        'values (:1, :2, :3, LOCALTIMESTAMP, LOCALTIMESTAMP, LOCALTIMESTAMP, :4, :5, :6, :7, :8, :9, :10, :11, :12, :13, :14, :15, :16, :17)',
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
      'update "DWPRCLOG" set "STATUS" = :1, "ENDDT" = LOCALTIMESTAMP, "RECUPDT" = LOCALTIMESTAMP, "MSG" = :2 ' +
        'where "PRCID" = :3 and ("STATUS" = :4 or ("STATUS" = :5 and exists (select "DWPRCREQ"."REQUEST_ID" from "DWPRCREQ" ' +
        'where "DWPRCREQ"."REQUEST_ID" = :6 and "DWPRCREQ"."CLAIMED_BY" = :7 and "DWPRCREQ"."STATUS" = :8 and "DWPRCREQ"."PRCID" = :9)))',
    );
    assert.deepEqual(q.parameters, ['ST', 'Stopped by stop request S', 11, 'IP', 'FL', 'R1', 'h:1:s0', 'CLAIMED', 11]);
    const pc = closeRunStatement(dialect.db, dialect, { prcid: 11, status: 'PC', message: null, owner: null }).compile();
    assert.equal(pc.sql, 'update "DWPRCLOG" set "STATUS" = :1, "ENDDT" = LOCALTIMESTAMP, "RECUPDT" = LOCALTIMESTAMP where "PRCID" = :2 and "STATUS" = :3');
  });

  test('a DWJOBLOG row without an id takes DWJOBLOGSEQ.NEXTVAL in the insert itself', () => {
    const run = { prcid: 11, jobid: 3, mapref: 'M1', sessionId: 4711 };
    const q = insertJobLogStatement(dialect.db, dialect, { run, joblogid: null, counts: { source: 5, target: 4, errors: 1 } }).compile();
    assert.equal(
      q.sql,
      'insert into "DWJOBLOG" ("JOBLOGID", "PRCDT", "JOBID", "MAPREF", "SRCROWS", "TRGROWS", "ERRROWS", "RECCRDT", "PRCID", "SESSIONID") ' +
        'values (DWJOBLOGSEQ.NEXTVAL, LOCALTIMESTAMP, :1, :2, :3, :4, :5, LOCALTIMESTAMP, :6, :7)',
    );
    assert.deepEqual(q.parameters, [3, 'M1', 5, 4, 1, 11, 4711]);
    assert.deepEqual(insertJobLogStatement(dialect.db, dialect, { run, joblogid: 77, counts: { source: 0, target: 0, errors: 0 } }).compile().parameters.slice(0, 1), [77]);
  });

  test('the children of a completed parent: one self-join, aliases without AS', () => {
    const q = childSchedulesQuery(dialect.db, 'P1').compile();
    assert.deepEqual(q.parameters, ['P1', 'Y', 'Y', 'Y']);
    assert.equal(
      q.sql,
      'select "C"."JOBSCHID", "C"."MAPREF" from "DWJOBSCH" "C" inner join "DWJOBSCH" "P" on "P"."JOBSCHID" = "C"."DPND_JOBSCHID" ' +
        'where "P"."MAPREF" = :1 and "P"."CURFLG" = :2 and "C"."CURFLG" = :3 and "C"."SCHFLG" = :4 order by "C"."JOBSCHID"',
    );
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
      'select "R"."PRCID", "R"."STATUS", "R"."STRTDT", "R"."ENDDT", "R"."MSG", ' +
        '"R"."PARAM1", "R"."PARAM2", "R"."PARAM3", "R"."PARAM4", "R"."PARAM5", "R"."PARAM6", "R"."PARAM7", "R"."PARAM8", "R"."PARAM9", "R"."PARAM10", ' +
        `${per('count(*)', 'DWJOBLOG', 'L', 'JOB_LOGS')}, ${per('sum("L"."SRCROWS")', 'DWJOBLOG', 'L', 'SRC_ROWS')}, ` +
        `${per('sum("L"."TRGROWS")', 'DWJOBLOG', 'L', 'TRG_ROWS')}, ${per('sum("L"."ERRROWS")', 'DWJOBLOG', 'L', 'ERR_ROWS')}, ` +
        `${per('count(*)', 'DWJOBERR', 'E', 'ERROR_COUNT')}, ` +
        '(select "E"."ERRMSG" from "DWJOBERR" "E" where "E"."PRCID" = "R"."PRCID" order by "E"."ERRID" desc fetch first :1 rows only) "LAST_ERROR" ' +
        'from "DWPRCLOG" "R" where "R"."MAPREF" = :2 order by "R"."PRCID" desc fetch first :3 rows only',
    );
    assert.deepEqual(q.parameters, [1, 'M1', 20]);
  });

  test('opening a run: sequence, IP row and guarded PRCID in one transaction, rolled back when the claim is gone', async () => {
    const row = { sessionId: 4711, mapref: 'M1', jobid: 3, jobflwid: 9, prclog: 'Parameters used: none', params: [] };
    const now = new Date(Date.UTC(2027, 2, 5, 23, 30));
    for (const [rowsAffected, expected, end] of [[1, { prcid: 42, openedAt: now }, 'commit'], [0, null, 'rollback']] as const) {
      const connection = new RecordingConnection();
      connection.execute = async (...args: unknown[]) => {
        connection.calls.push({ call: 'execute', args });
        return { rows: [{ v: 42, p: 42, t: now }], rowsAffected } as never;
      };
      const session = await OracleRunSession.open(connection, 'DW', dialect.sessionId());
      connection.calls = [];
      assert.deepEqual(await dialect.openRunRow(session, row, owner), expected);
      assert.deepEqual([connection.module, connection.action, connection.clientId], expected ? ['dwprc', 'M1', '42'] : [undefined, undefined, undefined], 'tagged once opened');
      assert.deepEqual(connection.names(), ['execute', 'execute', 'execute', end]);
      assert.deepEqual(connection.calls[0]!.args[0], 'SELECT DWPRCLOGSEQ.NEXTVAL AS "p", SYS_EXTRACT_UTC(SYSTIMESTAMP) AS "t" FROM DUAL');
      assert.deepEqual(
        connection.calls.slice(1, 3).map((c) => String(c.args[0]).slice(0, 28)),
        ['insert into "DWPRCLOG" ("PRC', 'update "DWPRCREQ" set "PRCID'],
      );
    }
  });

  test('closing a run with its DWJOBLOG row: one transaction, the row only if the close took effect, then its totals', async () => {
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
      assert.deepEqual(await dialect.closeRunRow(session, close, jobLog), { closed, counts: null });
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
      { jobschid: 1, nxtRunDt: at, lstRunDt: at },
      { jobschid: 2, nxtRunDt: null, lstRunDt: null },
    ]);
    assert.deepEqual(
      connection.calls.map((c) => c.args[0]),
      [
        'insert into "DWPRCREQ" ("REQUEST_ID", "MAPREF", "REQUEST_TYPE", "PAYLOAD", "REQUESTED_AT") values (:1, :2, :3, :4, LOCALTIMESTAMP)',
        'insert into "DWPRCREQ" ("REQUEST_ID", "MAPREF", "REQUEST_TYPE", "PAYLOAD", "REQUESTED_AT") values (:1, :2, :3, :4, LOCALTIMESTAMP)',
        'update "DWJOBSCH" set "NXT_RUN_DT" = :1, "LST_RUN_DT" = :2 where "JOBSCHID" = :3',
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

    await session.tag({ mapref: 'A_VERY_LONG_MAPPING_REFERENCE_NAME_OVER_32', prcid: 4711 });
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
