import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CompiledQuery } from 'kysely';
import type oracledb from 'oracledb';
import {
  ORACLE_PING,
  ORACLE_SERVER_ZONE,
  oracleDescribeTablesQuery,
  oracleIndexExistsQuery,
  oracleLegacySchedulerQuery,
  oraclePackageCall,
  oraclePoolAttributes,
  oracleServerVersionQuery,
  oracleVersionTableBlock,
  splitOracleScript,
} from '../../../src/db/dialects/oracle.js';
import { REGISTER_ALERT, signalAlert, WAIT_FOR_ALERT } from '../../../src/db/dialects/oracleAlerts.js';
import { END_RUN_SESSION_BLOCK } from '../../../src/db/dialects/oracleEndRunSession.js';
import { migrationFiles } from '../../../src/db/migrate.js';
import { PACKAGE_ENTRY_POINTS, type PackageEntryPoint } from '../../../src/db/packageEntryPoints.js';
import { CREATE_TARGET_BLOCK, emptyBody, failingBody, loadBody, oracleDwlogic, sleepingBody } from '../integrationFlows.js';
import { compileOnlyOracle } from '../oracleSqlRules.js';
import { assertOracleGrammar, oracleKindOf } from './oracleGrammar.js';
import { dynamicStatements } from './sqlplusStatements.js';

/** The statement and the literal SQL it runs with EXECUTE IMMEDIATE, each as the kind it is. */
function assertParses(text: string, where: string) {
  assertOracleGrammar(text, { where });
  for (const inner of dynamicStatements(text)) assertOracleGrammar(inner.text, { where: `${where}, EXECUTE IMMEDIATE at line ${inner.line}` });
}

const compiled = (query: { compile(db: ReturnType<typeof compileOnlyOracle>['db']): CompiledQuery }) => query.compile(compileOnlyOracle().db).sql;

describe('the PL/SQL and SQL dwprc sends outside Kysely builders, through the grammar', () => {
  test('a call of every PKGDWPRC entry point dwprc makes', () => {
    for (const [entry, { params }] of Object.entries(PACKAGE_ENTRY_POINTS)) {
      const call = oraclePackageCall(entry as PackageEntryPoint, params.map(() => null));
      assert.equal(oracleKindOf(call.sql), 'plsql');
      assertParses(call.sql, `PKGDWPRC.${entry.toUpperCase()} call`);
    }
  });

  test('DBMS_ALERT: register, wait, signal', () => {
    assertParses(REGISTER_ALERT, 'REGISTER_ALERT');
    assertParses(WAIT_FOR_ALERT, 'WAIT_FOR_ALERT');
    assertParses(compiled(signalAlert('request')), 'signalAlert');
  });

  test("ending a reaped run's session (V$SESSION, KILL SESSION)", () => {
    assertParses(END_RUN_SESSION_BLOCK, 'END_RUN_SESSION_BLOCK');
  });

  test('the session set-up of DWPRC_SCHEMA: ALTER SESSION SET CURRENT_SCHEMA', async () => {
    const attributes = oraclePoolAttributes({ user: 'u', password: 'p', connectString: 'db', schema: 'DW_OWNER', tablePrefix: 'DW', poolMax: 1 });
    const sent: string[] = [];
    const connection = { execute: async (text: string) => void sent.push(text) } as unknown as oracledb.Connection;
    const callback = attributes.sessionCallback as (c: oracledb.Connection, tag: string, done: (e?: unknown) => void) => void;
    await new Promise<void>((resolve, reject) => callback(connection, '', (e) => (e ? reject(e) : resolve())));
    assert.equal(sent.length, 1);
    assertParses(sent[0]!, 'sessionCallback');
  });

  test('doctor, status and migrate: version table, dictionary lookups, server clock and version', () => {
    assertParses(compiled(oracleVersionTableBlock('DMS_PRCVER')), 'oracleVersionTableBlock');
    assert.equal(dynamicStatements(compiled(oracleVersionTableBlock('DMS_PRCVER'))).length, 1, 'its CREATE TABLE is parsed too');
    for (const [name, query] of [
      ['ORACLE_PING', ORACLE_PING],
      ['ORACLE_SERVER_ZONE', ORACLE_SERVER_ZONE],
      ['oracleServerVersionQuery', oracleServerVersionQuery('BANNER_FULL')],
      ['oracleLegacySchedulerQuery', oracleLegacySchedulerQuery('DMS_')],
      ['oracleDescribeTablesQuery', oracleDescribeTablesQuery(['DWPRCREQ', 'DWPRCLOG'])],
      ['oracleIndexExistsQuery', oracleIndexExistsQuery('DWPRCREQ_LEASE')],
    ] as const) {
      assertParses(compiled(query), name);
    }
  });

  test('every migration statement as `dwprc db migrate` sends it, also with the DMS_ table prefix', async () => {
    for (const prefix of ['DW', 'DMS_']) {
      const files = await migrationFiles('oracle', prefix);
      assert.ok(files.length >= 7);
      for (const file of files) {
        for (const [i, statement] of splitOracleScript(file.text).entries()) assertParses(statement, `${prefix} ${file.version}_${file.name} statement ${i + 1}`);
      }
    }
  });

  test('the DWLOGIC blocks and set-up of the Oracle integration test', () => {
    assertParses(CREATE_TARGET_BLOCK, 'CREATE_TARGET_BLOCK');
    for (const body of [loadBody('ORA_LOAD'), failingBody, sleepingBody, emptyBody]) assertParses(oracleDwlogic('ORA_X', body), 'integration DWLOGIC');
  });
});
