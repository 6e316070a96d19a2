import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type OracleRunConnection, OracleRunSession } from '../../src/db/dialects/oracle.js';
import { sourceConidQuery, targetConidQuery } from '../../src/engine/python/flowConnections.js';
import { ownJobLogsQuery } from '../../src/engine/python/pythonRun.js';
import { lastCheckpointQuery, retryFailedStatement } from '../../src/queue/cancelRequest.js';
import { assertOracleSql, compileOnlyOracle } from './oracleSqlRules.js';

/** Python flows on Oracle, without a server: the SQL dwprc sends, and the tag the child sets. */
describe('Oracle: Python flows (compiled SQL, child connection and tag)', () => {
  const d = compileOnlyOracle();

  test('the queries of a Python run and of retry --resume compile to valid Oracle SQL', () => {
    assert.equal(assertOracleSql(ownJobLogsQuery(d.db, 7), { binds: [7] }).sql, 'select count(*) "N" from "DWJOBLOG" where "PRCID" = :1');
    const checkpoint = assertOracleSql(lastCheckpointQuery(d, 'R1'), { binds: ['R1'] });
    assert.match(checkpoint.sql, /from "DWPRCREQ" left join "DWPRCLOG" on "DWPRCLOG"\."PRCID" = "DWPRCREQ"\."PRCID" where "DWPRCREQ"\."REQUEST_ID" = :1$/);
    assert.equal(
      assertOracleSql(sourceConidQuery(d.db, 'M1'), { binds: ['M1'] }).sql,
      'select "DWMAPRSQL"."SQLCONID" from "DWJOBDTL" inner join "DWMAPRSQL" on "DWMAPRSQL"."DWMAPRSQLCD" = "DWJOBDTL"."MAPRSQLCD" and "DWMAPRSQL"."CURFLG" = :1 where "DWJOBDTL"."MAPREF" = :2 and "DWJOBDTL"."CURFLG" = :3 order by "DWJOBDTL"."JOBDTLID", "DWMAPRSQL"."DWMAPRSQLID" desc',
    );
    assertOracleSql(targetConidQuery(d.db, 'M1'), { binds: ['M1'] });
    const retry = assertOracleSql(retryFailedStatement(d, 'R1', '{"param1":"B2"}'));
    assert.match(retry.sql, /^update "DWPRCREQ" set "PAYLOAD" = :1, "STATUS" = :2/);
  });

  test('the child connects as the pool does (python-oracledb), schema validated; its tag is the one endRunSession looks for', async () => {
    assert.deepEqual(d.pythonConnection(), { driver: 'oracledb', user: 'u', password: 'p', dsn: 'none', schema: null });
    const connection = { module: '', action: '', clientId: '', execute: async () => ({ rows: [{ v: 1 }] }) } as unknown as OracleRunConnection;
    const session = await OracleRunSession.open(connection, 'DW', d.sessionId());
    const run = { mapref: 'A_VERY_LONG_MAPPING_REFERENCE_NAME_OVER_32', prcid: 4711 };
    session.tag(run);
    assert.deepEqual(d.pythonRunTag(run), { module: connection.module, action: connection.action, clientIdentifier: connection.clientId });
  });
});
