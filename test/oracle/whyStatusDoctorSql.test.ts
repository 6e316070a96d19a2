import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OracleDialect, oracleCompiler, oracleLegacySchedulerQuery } from '../../src/db/dialects/oracle.js';
import { disableStatements } from '../../src/observe/legacyScheduler.js';
import { liveWorkersQuery } from '../../src/observe/liveWorkers.js';
import { orphanRunsQuery } from '../../src/observe/orphanRuns.js';
import { recentRunsQuery } from '../../src/observe/runEstimates.js';
import { stuckLeasesQuery } from '../../src/observe/stuckLeases.js';
import { flowRequestsQuery, lastFinishedRequestQuery, lastFiringQuery } from '../../src/observe/why.js';
import './grammar/checkCompiledSql.js';

const REQUEST_COLUMNS =
  '"REQUEST_ID", "REQUEST_TYPE", "STATUS", "REQUESTED_AT", "CLAIMED_AT", "COMPLETED_AT", "CLAIMED_BY", "PRCID", ' +
  '"ATTEMPTS", "RUN_AFTER", "LEASE_EXPIRES_AT", "STOP_REQUESTED", "RESULT_PAYLOAD"';

describe('why, status and doctor on Oracle (compiled SQL)', () => {
  let dialect: OracleDialect;
  before(async () => {
    // createPool does not connect (poolMin 0): the dialect compiles SQL without a server.
    dialect = await OracleDialect.create({ user: 'u', password: 'p', connectString: '127.0.0.1:9/none', schema: null, tablePrefix: 'DW', poolMax: 1 });
  });
  after(() => dialect.close());

  test('live workers: heartbeats (UTC) within three leases of the database clock', () => {
    const q = liveWorkersQuery(dialect.db, dialect, 30_000).compile();
    assert.equal(
      q.sql,
      'select "WORKER_ID", "HOST", "PID", "VERSION", "CONCURRENCY", "RUNNING" from "DWPRCWRK" ' +
        `where "HEARTBEAT_AT" >= (SYS_EXTRACT_UTC(SYSTIMESTAMP) + NUMTODSINTERVAL(:1, 'SECOND')) order by "WORKER_ID"`,
    );
    assert.deepEqual(q.parameters, [-90]);
  });

  test('stuck leases and open runs: plain FETCH FIRST (no FOR UPDATE), NOT EXISTS on the claim', () => {
    const stuck = stuckLeasesQuery(dialect.db, dialect, 30_000).compile();
    assert.equal(
      stuck.sql,
      'select "REQUEST_ID", "MAPREF", "CLAIMED_BY", "LEASE_EXPIRES_AT" from "DWPRCREQ" where "STATUS" = :1 and ' +
        `("LEASE_EXPIRES_AT" is null or "LEASE_EXPIRES_AT" < (SYS_EXTRACT_UTC(SYSTIMESTAMP) + NUMTODSINTERVAL(:2, 'SECOND'))) ` +
        'order by "REQUEST_ID" fetch first :3 rows only',
    );
    assert.deepEqual(stuck.parameters, ['CLAIMED', -30, 1000]);
    const open = orphanRunsQuery(dialect.db).compile();
    assert.equal(
      open.sql,
      'select "L"."PRCID", "L"."MAPREF", "L"."STRTDT" from "DWPRCLOG" "L" where "L"."STATUS" = :1 and not exists ' +
        '(select 1 "ONE" from "DWPRCREQ" "Q" where "Q"."PRCID" = "L"."PRCID" and "Q"."STATUS" = :2) order by "L"."PRCID" fetch first :3 rows only',
    );
    assert.deepEqual(open.parameters, ['IP', 'CLAIMED', 1000]);
  });

  test('status: the last 10 PC runs of a MAPREF, newest first', () => {
    const q = recentRunsQuery(dialect.db, 'SALES').compile();
    assert.equal(
      q.sql,
      'select "STRTDT", "ENDDT" from "DWPRCLOG" where "MAPREF" = :1 and "STATUS" = :2 and "STRTDT" is not null and "ENDDT" is not null order by "PRCID" desc fetch first :3 rows only',
    );
    assert.deepEqual(q.parameters, ['SALES', 'PC', 10]);
  });

  test('why: flow requests by trimmed upper-case type, the newest finished one, the newest firing by id', () => {
    const running = flowRequestsQuery(dialect.db, 'SALES').where('status', '=', 'CLAIMED').compile();
    assert.equal(running.sql, `select ${REQUEST_COLUMNS} from "DWPRCREQ" where "MAPREF" = :1 and upper(trim("REQUEST_TYPE")) in (:2, :3) and "STATUS" = :4`);
    assert.deepEqual(running.parameters, ['SALES', 'IMMEDIATE', 'HISTORY', 'CLAIMED']);
    const last = lastFinishedRequestQuery(dialect.db, 'SALES').compile();
    // COMPLETED_AT IS NOT NULL: Oracle sorts NULLs first in a descending order.
    assert.match(last.sql, /and "STATUS" in \(:4, :5, :6\) and "COMPLETED_AT" is not null order by "COMPLETED_AT" desc, "REQUEST_ID" desc fetch first :7 rows only$/);
    const firing = lastFiringQuery(dialect.db, 'SALES', 17).compile();
    assert.equal(firing.sql, 'select "REQUEST_ID", "PAYLOAD" from "DWPRCREQ" where "MAPREF" = :1 and "REQUEST_ID" like :2 order by "REQUEST_ID" desc fetch first :3 rows only');
    assert.deepEqual(firing.parameters, ['SALES', 'S17-%', 1]);
  });

  test('legacy scheduler: enabled jobs, chains and programs named after DWJOBSCH MAPREFs, in the DW schema', () => {
    const q = oracleLegacySchedulerQuery('DW').compile(oracleCompiler());
    assert.equal(
      q.sql,
      `SELECT 'JOB' AS "kind", OWNER AS "owner", JOB_NAME AS "name"
  FROM ALL_SCHEDULER_JOBS
 WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') AND ENABLED = 'TRUE'
   AND JOB_NAME IN (SELECT 'JOB_' || UPPER(MAPREF) FROM DWJOBSCH UNION SELECT 'JOB_CHAIN_' || UPPER(MAPREF) FROM DWJOBSCH)
UNION ALL
SELECT 'CHAIN', OWNER, CHAIN_NAME
  FROM ALL_SCHEDULER_CHAINS
 WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') AND ENABLED = 'TRUE'
   AND CHAIN_NAME IN (SELECT 'CHAIN_' || UPPER(MAPREF) FROM DWJOBSCH)
UNION ALL
SELECT 'PROGRAM', OWNER, PROGRAM_NAME
  FROM ALL_SCHEDULER_PROGRAMS
 WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') AND ENABLED = 'TRUE'
   AND PROGRAM_NAME IN (SELECT 'PROGRAM_' || UPPER(MAPREF) FROM DWJOBSCH)
 ORDER BY 1, 3`,
    );
    assert.deepEqual(q.parameters, []);
    // Result keys without underscores: CamelCasePlugin leaves them as they are.
    assert.doesNotMatch(q.sql, /AS "\w*_\w*"/);
    const dms = oracleLegacySchedulerQuery('DMS_').compile(oracleCompiler('DMS_')).sql;
    assert.equal(dms.match(/FROM DMS_JOBSCH/g)?.length, 4);
    assert.doesNotMatch(dms, /DWJOBSCH/);
  });

  test('the statement doctor prints: jobs first, then chains and programs, owner-qualified, quotes doubled', () => {
    const text = disableStatements([
      { type: 'PROGRAM', owner: 'DW', name: 'PROGRAM_SALES' },
      { type: 'CHAIN', owner: 'DW', name: 'CHAIN_SALES' },
      { type: 'JOB', owner: 'DW', name: 'JOB_SALES' },
      { type: 'JOB', owner: 'DW', name: "JOB_CHAIN_O'NEIL" },
    ]);
    assert.equal(
      text,
      [
        'BEGIN',
        "  DBMS_SCHEDULER.DISABLE(name => 'DW.JOB_CHAIN_O''NEIL', force => TRUE);",
        "  DBMS_SCHEDULER.DISABLE(name => 'DW.JOB_SALES', force => TRUE);",
        "  DBMS_SCHEDULER.DISABLE(name => 'DW.CHAIN_SALES', force => TRUE);",
        "  DBMS_SCHEDULER.DISABLE(name => 'DW.PROGRAM_SALES', force => TRUE);",
        'END;',
        '/',
      ].join('\n'),
    );
  });
});
