import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { executeRequest } from '../../src/engine/executeRequest.js';
import { childConnection } from '../../src/engine/python/flowConnections.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { claimRequest, runsOf, setFlow } from '../support/engine.js';
import { fixtureFlow, pythonHarness, pythonWith } from '../support/python.js';

const python = pythonWith('psycopg2');

const row = (fields: Partial<Parameters<typeof childConnection>[0]>) => ({
  conid: 5, connm: null, dbhost: null, dbport: null, dbsrvnm: null, usrnm: null, schnm: null, passwd: null, constr: null, dbtyp: null, curflg: 'Y', ...fields,
});

describe('Python flows: source and target connections from DWDBCONDTLS (pure)', () => {
  test('a row becomes the driver’s connection: a connection string wins, else its parts; Oracle when DBTYP is empty', () => {
    assert.deepEqual(childConnection(row({ dbtyp: 'postgresql', constr: 'postgres://u:p@h/db' })), { driver: 'psycopg2', dsn: 'postgres://u:p@h/db', schema: null });
    assert.deepEqual(childConnection(row({ dbtyp: 'POSTGRES', dbhost: 'h', dbport: '5433', dbsrvnm: 'dw', usrnm: 'u', passwd: "it's" })), {
      driver: 'psycopg2', dsn: "host='h' port='5433' dbname='dw' user='u' password='it\\'s'", schema: null,
    });
    assert.deepEqual(childConnection(row({ dbhost: 'ora', dbsrvnm: 'FREEPDB1', usrnm: 'SRC', passwd: 'pw', schnm: 'STAGE' })), {
      driver: 'oracledb', user: 'SRC', password: 'pw', dsn: 'ora:1521/FREEPDB1', schema: 'STAGE',
    });
    assert.throws(() => childConnection(row({ dbtyp: 'MYSQL' })), /CONID 5, of DBTYP MYSQL: dwprc opens ORACLE \(python-oracledb\) and POSTGRESQL \(psycopg2\)/);
    assert.throws(() => childConnection(row({ schnm: 'x; drop' })), /DWDBCONDTLS\.SCHNM of CONID 5 must be a plain identifier/);
  });
});

describe('Python flows: source and target connections from DWDBCONDTLS', { skip: python.skip }, () => {
  let t: TestDatabase;
  let other: TestDatabase;
  const interpreter = python.interpreter!;
  before(async () => {
    t = await createTestDatabase();
    other = await createTestDatabase({ migrate: false });
    await sql`create table loaded (prcid bigint)`.execute(other.dialect.db);
    const url = new URL(other.url);
    await t.dialect.db
      .insertInto('dwdbcondtls')
      .values([
        { conid: 1, connm: 'target by string', constr: other.url, dbtyp: 'POSTGRESQL', curflg: 'Y' },
        { conid: 2, connm: 'source by parts', dbhost: url.hostname, dbport: url.port, dbsrvnm: url.pathname.slice(1), usrnm: decodeURIComponent(url.username), passwd: decodeURIComponent(url.password), dbtyp: 'POSTGRES', curflg: 'Y' },
        { conid: 3, connm: 'elsewhere', dbtyp: 'MYSQL', curflg: 'Y' },
      ])
      .execute();
    await t.dialect.db.insertInto('dwmaprsql').values({ dwmaprsqlid: 1, dwmaprsqlcd: 'SRC_SQL', dwmaprsql: 'select 1', curflg: 'Y', sqlconid: 2 }).execute();
  });
  after(async () => {
    await other.drop();
    await t.drop();
  });

  async function flowWith(mapref: string, trgconid: number | null, sourceSql: string | null) {
    await setFlow(t, mapref, fixtureFlow('connections'), 500 + (trgconid ?? 0));
    await t.dialect.db.insertInto('dwjob').values({ jobid: 500 + (trgconid ?? 0), mapref, trgschm: null, trgtbnm: null, stflg: 'A', curflg: 'Y', trgconid }).execute();
    if (sourceSql) await t.dialect.db.insertInto('dwjobdtl').values({ jobdtlid: 500 + (trgconid ?? 0), mapref, maprsqlcd: sourceSql, curflg: 'Y' }).execute();
  }
  const loaded = async () => (await sql<{ prcid: number }>`select prcid from loaded order by prcid`.execute(other.dialect.db)).rows.map((r) => Number(r.prcid));

  test('the source and target named by DWMAPRSQL.SQLCONID and DWJOB.TRGCONID: loaded and committed there; rolled back on ERROR', async () => {
    await flowWith('PYC_OK', 1, 'SRC_SQL');
    const h = pythonHarness(t, { interpreter });
    const ok = await executeRequest(await claimRequest(t, 'IMMEDIATE', 'PYC_OK'), h.context);
    assert.equal(ok.status, 'DONE', ok.result.message);
    const [run] = await runsOf(t, 'PYC_OK');
    const dw = new URL(t.url).pathname.slice(1);
    const target = new URL(other.url).pathname.slice(1);
    assert.ok(h.lines.some((l) => l.msg === `databases ${dw} ${target} ${target}`), JSON.stringify(h.lines.map((l) => l.msg)));
    assert.deepEqual(await loaded(), [run!.prcid]);
    const failed = await executeRequest(await claimRequest(t, 'IMMEDIATE', 'PYC_OK', { param1: 'ERROR' }), h.context);
    assert.equal(failed.status, 'FAILED');
    assert.deepEqual(await loaded(), [run!.prcid], 'the failed run’s insert into its target was rolled back');
  });

  test('a connection of another DBTYP, or a CONID without a current row: FAILED before any run row, naming it', async () => {
    await flowWith('PYC_MYSQL', 3, null);
    const mysql = await executeRequest(await claimRequest(t, 'IMMEDIATE', 'PYC_MYSQL'), pythonHarness(t, { interpreter }).context);
    assert.equal(mysql.started, false);
    assert.equal(mysql.result.message, 'the target of PYC_MYSQL (DWJOB.TRGCONID) is CONID 3, of DBTYP MYSQL: dwprc opens ORACLE (python-oracledb) and POSTGRESQL (psycopg2) connections for Python flows');
    await flowWith('PYC_GONE', 9, null);
    const gone = await executeRequest(await claimRequest(t, 'IMMEDIATE', 'PYC_GONE'), pythonHarness(t, { interpreter }).context);
    assert.equal(gone.result.message, "the target of PYC_GONE (DWJOB.TRGCONID) is CONID 9, which has no current DWDBCONDTLS row (CURFLG 'Y')");
    assert.deepEqual(await runsOf(t, 'PYC_GONE'), []);
  });
});
