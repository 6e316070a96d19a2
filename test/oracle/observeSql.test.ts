import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ORACLE_PING,
  ORACLE_SERVER_ZONE,
  oracleCompiler,
  oracleDescribeTablesQuery,
  oracleIndexExistsQuery,
  oracleServerVersionQuery,
  oracleValueQuery,
  oracleVersionTableBlock,
} from '../../src/db/dialects/oracle.js';
import { appliedVersionsQuery, recordVersionStatement } from '../../src/db/migrate.js';
import { duplicateCurrentSchedules } from '../../src/observe/currentSchedules.js';
import { FOREIGN_CLAIM_WINDOW_MS, foreignWaitingQuery, recentClaimsQuery } from '../../src/observe/foreignActivity.js';
import { queueDepthQuery } from '../../src/observe/queueDepth.js';
import { statusQueries } from '../../src/observe/status.js';
import { assertOracleSql, compileOnlyOracle } from './oracleSqlRules.js';

describe('metrics SQL on Oracle, as compiled', () => {
  test('queue depth: one GROUP BY over NEW and CLAIMED, the count aliased without an underscore', () => {
    const q = assertOracleSql(queueDepthQuery(oracleCompiler()));
    assert.equal(q.sql, 'select "STATUS", count(*) "N" from "DWPRCREQ" where "STATUS" in (:1, :2) group by "STATUS"');
    assert.deepEqual(q.parameters, ['NEW', 'CLAIMED']);
  });
});

describe('status, doctor and migrations on Oracle, as compiled', () => {
  const d = compileOnlyOracle();

  test('dwprc status: depth by status and type, running requests, workers, the last failures as a FETCH FIRST page; both clocks FROM DUAL', () => {
    const q = statusQueries(d, 5);
    assert.equal(
      assertOracleSql(q.depth).sql,
      'select "STATUS", "REQUEST_TYPE", count(*) "COUNT" from "DWPRCREQ" where "STATUS" in (:1, :2) and not (case when (' +
        'UPPER(RTRIM(LTRIM("DWPRCREQ"."REQUEST_TYPE", :3), :4)) = :5 or (UPPER(RTRIM(LTRIM("DWPRCREQ"."REQUEST_TYPE", :6), :7)) = :8 ' +
        'and substr(NVL(RTRIM(LTRIM("DWPRCREQ"."MAPREF", :9), :10), "DWPRCREQ"."MAPREF"), 1, :11) = :12)) ' +
        'and ("DWPRCREQ"."PAYLOAD" is null or "DWPRCREQ"."PAYLOAD" not like :13) then 1 else 0 end = 1) group by "STATUS", "REQUEST_TYPE" order by "STATUS", "REQUEST_TYPE"',
    );
    assertOracleSql(q.running);
    assert.equal(assertOracleSql(q.workers).sql, 'select * from "DWPRCWRK" order by "WORKER_ID"');
    assert.equal(
      assertOracleSql(q.failures, { binds: [5] }).sql,
      'select "REQUEST_ID", "MAPREF", "REQUEST_TYPE", "COMPLETED_AT", "RESULT_PAYLOAD" from "DWPRCREQ" where "STATUS" = :1 order by "COMPLETED_AT" desc fetch first :2 rows only',
    );
    assert.equal(assertOracleSql(oracleValueQuery(d.localNow()).compile(d.db)).sql, 'SELECT CAST(SYSTIMESTAMP AS TIMESTAMP) AS "v" FROM DUAL');
    assertOracleSql(oracleValueQuery(d.utcNow()).compile(d.db));
  });

  test('doctor: banner, ping, server zone, columns and indexes of the DWPRC_SCHEMA schema (not only the login user), duplicate current schedules', () => {
    for (const column of ['BANNER', 'BANNER_FULL'] as const) {
      assert.equal(assertOracleSql(oracleServerVersionQuery(column).compile(d.db)).sql, `SELECT ${column} AS "banner" FROM V$VERSION WHERE ROWNUM = 1`);
    }
    assert.equal(assertOracleSql(ORACLE_PING.compile(d.db)).sql, 'SELECT 1 FROM DUAL');
    assert.equal(assertOracleSql(ORACLE_SERVER_ZONE.compile(d.db)).sql, `SELECT TO_CHAR(SYSTIMESTAMP, 'TZR') AS "tz" FROM DUAL`);
    const columns = assertOracleSql(oracleDescribeTablesQuery(['DWPRCREQ', 'DWJOBSCH']).compile(d.db), { binds: ['DWPRCREQ', 'DWJOBSCH'] });
    assert.match(columns.sql, /FROM ALL_TAB_COLUMNS\s+WHERE OWNER = SYS_CONTEXT\('USERENV', 'CURRENT_SCHEMA'\)\s+AND TABLE_NAME IN \(:1, :2\)$/);
    assertOracleSql(oracleIndexExistsQuery('dwjobsch_one_current').compile(d.db), { binds: ['DWJOBSCH_ONE_CURRENT'] });
    assertOracleSql(duplicateCurrentSchedules(d.db));
  });

  test('migrations: DWPRCVER created by a guarded block, read and written with binds', () => {
    assert.equal(
      oracleVersionTableBlock('DMS_PRCVER').compile(d.db).sql,
      `BEGIN
  EXECUTE IMMEDIATE 'CREATE TABLE DMS_PRCVER (VERSION NUMBER(6) PRIMARY KEY, NAME VARCHAR2(200) NOT NULL, APPLIED_AT TIMESTAMP DEFAULT SYSTIMESTAMP NOT NULL)';
EXCEPTION WHEN OTHERS THEN IF SQLCODE != -955 THEN RAISE; END IF;
END;`,
    );
    assert.equal(assertOracleSql(appliedVersionsQuery(d.db)).sql, 'select "VERSION" from "DWPRCVER"');
    assert.equal(assertOracleSql(recordVersionStatement(d.db, { version: 31, name: 'pkgdwprc' }), { binds: [31, 'pkgdwprc'] }).sql, 'insert into "DWPRCVER" ("VERSION", "NAME") values (:1, :2)');
    assert.match(recordVersionStatement(compileOnlyOracle('DMS_').db, { version: 1, name: 'x' }).compile().sql, /^insert into "DMS_PRCVER"/);
  });
});

describe('requests of other services on Oracle, as compiled', () => {
  const d = compileOnlyOracle('DMS_');

  test('doctor and status: the foreign rows waiting by type, and recent claims by status and claimer, on DMS_PRCREQ with binds', () => {
    const waiting = assertOracleSql(foreignWaitingQuery(d));
    assert.match(waiting.sql, /^select "REQUEST_TYPE", count\(\*\) "COUNT", min\("REQUESTED_AT"\) "OLDEST" from "DMS_PRCREQ" where "STATUS" = :1 and \(case when /);
    assert.match(waiting.sql, / group by "REQUEST_TYPE" order by "REQUEST_TYPE"$/);
    const claims = assertOracleSql(recentClaimsQuery(d, FOREIGN_CLAIM_WINDOW_MS));
    assert.match(claims.sql, /^select "STATUS", "CLAIMED_BY", count\(\*\) "COUNT", count\("LEASE_EXPIRES_AT"\) "LEASED", max\("CLAIMED_AT"\) "LAST" from "DMS_PRCREQ" where "CLAIMED_AT" >= \(CAST\(SYSTIMESTAMP AS TIMESTAMP\) \+ NUMTODSINTERVAL\(:1, 'SECOND'\)\) and not \(case when /);
    assert.equal(claims.parameters[0], -86_400);
  });
});
