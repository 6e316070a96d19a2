import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Kysely, sql } from 'kysely';
import { OracleDialect as KyselyOracle } from 'kysely-oracledb';
import oracledb from 'oracledb';
import { callOraclePackage, oracleCompiler, oraclePackageCall, oraclePlugins, oracleValueQuery } from '../../src/db/dialects/oracle.js';
import { SQL_DIR } from '../../src/db/migrate.js';
import { PACKAGE_ENTRY_POINTS, type PackageEntryPoint } from '../../src/db/packageEntryPoints.js';
import type { Database } from '../../src/db/schema.js';
import { checkOracleScript, postgresRoutines } from './plsqlCheck.js';
import './grammar/checkCompiledSql.js';

/**
 * Calling PKGDWPRC from dwprc: the PL/SQL text and the binds (by name, ORACLE.md) are pinned on
 * the text; a recording fake of the node-oracledb pool and connection, under real Kysely and
 * kysely-oracledb, shows the call runs on the transaction's own connection and commits with it.
 */

const START = new Date('2027-01-04T00:00:00Z');
const SCHEDULE_ARGS = ['M1', 'WK', 'MON', '09', '30', START, null];

describe('PKGDWPRC calls on Oracle', () => {
  test('a function: :r := …, every argument bound by name, the NUMBER result an OUT bind', () => {
    const call = oraclePackageCall('create_job_schedule', SCHEDULE_ARGS);
    assert.equal(call.sql, 'BEGIN :r := PKGDWPRC.CREATE_JOB_SCHEDULE(:a1, :a2, :a3, :a4, :a5, :a6, :a7); END;');
    assert.deepEqual(call.binds, {
      a1: 'M1', a2: 'WK', a3: 'MON', a4: '09', a5: '30', a6: START, a7: null,
      r: { dir: oracledb.BIND_OUT, type: oracledb.NUMBER },
    });
  });

  test('a procedure: a plain call, no OUT bind', () => {
    assert.deepEqual(oraclePackageCall('enable_disable_schedule', ['M1', 'E']), {
      sql: 'BEGIN PKGDWPRC.ENABLE_DISABLE_SCHEDULE(:a1, :a2); END;',
      binds: { a1: 'M1', a2: 'E' },
    });
    assert.deepEqual(oraclePackageCall('create_job_dependency', [null, 'C']), {
      sql: 'BEGIN PKGDWPRC.CREATE_JOB_DEPENDENCY(:a1, :a2); END;',
      binds: { a1: null, a2: 'C' },
    });
  });

  test('only listed entry points, with their number of arguments, reach SQL text', () => {
    assert.throws(() => oraclePackageCall('stop_running_job; drop table x' as PackageEntryPoint, []), /not a package entry point/);
    assert.throws(() => oraclePackageCall('toString' as PackageEntryPoint, []), /not a package entry point/);
    assert.throws(() => oraclePackageCall('enable_disable_schedule', ['M1']), /takes 2 arguments \(p_mapref, p_action\), got 1/);
  });

  test('the allow-list matches the package spec and its PostgreSQL twin: names, parameters, function or procedure', async () => {
    const { units } = checkOracleScript(await readFile(path.join(SQL_DIR, 'oracle', '031_pkgdwprc.sql'), 'utf8'));
    const spec = units.find((u) => u.packageName === 'PKGDWPRC' && !u.packageBody)!;
    const twin = postgresRoutines(await readFile(path.join(SQL_DIR, 'postgres', '031_pkgdwprc_schedule.sql'), 'utf8'), 'pkgdwprc');
    for (const [entry, definition] of Object.entries(PACKAGE_ENTRY_POINTS)) {
      const oracle = spec.subprograms.find((s) => s.name === entry.toUpperCase());
      assert.ok(oracle, `PKGDWPRC.${entry.toUpperCase()} exists`);
      assert.deepEqual(oracle.params.map((p) => `${p.name} ${p.mode}`), definition.params.map((p) => `${p} IN`), entry);
      assert.equal(oracle.kind, definition.returns ? 'FUNCTION' : 'PROCEDURE', entry);
      assert.deepEqual(twin.find((r) => r.name === entry)?.params.map((p) => p.name), [...definition.params], `pkgdwprc.${entry}`);
    }
  });

  test('one value (the clock for schedule operations) is selected from DUAL: no SELECT without FROM before 23ai', () => {
    const q = oracleValueQuery(sql<Date>`SYS_EXTRACT_UTC(SYSTIMESTAMP)`).compile(oracleCompiler());
    assert.equal(q.sql, 'SELECT SYS_EXTRACT_UTC(SYSTIMESTAMP) AS "v" FROM DUAL');
  });
});

interface Call {
  connection: number;
  name: string;
  args: unknown[];
}

/** A pool handing out numbered fake connections that record the driver calls made on them. */
function recordingPool(outBinds: Record<string, unknown> | undefined) {
  const calls: Call[] = [];
  let opened = 0;
  const pool = {
    getConnection: async () => {
      const connection = ++opened;
      const record = (name: string, args: unknown[]) => calls.push({ connection, name, args });
      return {
        execute: async (sql: string, binds: unknown, options: unknown) => {
          record('execute', [sql, binds, options]);
          return sql.startsWith('BEGIN') ? { outBinds } : { rows: [], rowsAffected: 1 };
        },
        commit: async () => void record('commit', []),
        rollback: async () => void record('rollback', []),
        close: async () => void record('close', []),
      };
    },
    close: async () => undefined,
  };
  const db = new Kysely<Database>({ dialect: new KyselyOracle({ pool: pool as unknown as oracledb.Pool }), plugins: oraclePlugins('DW') });
  return { db, calls };
}

describe('PKGDWPRC calls on Oracle: driver calls (recording fake)', () => {
  test('inside a transaction: executed on its connection with the named binds, then the following statement, then one commit', async () => {
    const { db, calls } = recordingPool({ r: 42 });
    const id = await db.transaction().execute(async (trx) => {
      const result = await callOraclePackage(trx, 'create_job_schedule', SCHEDULE_ARGS);
      await trx.updateTable('dwjobsch').set({ nxtRunSig: 'x' }).where('jobschid', '=', 42).execute();
      return result;
    });
    assert.equal(id, 42, 'the function value comes from the OUT bind');
    const expected = oraclePackageCall('create_job_schedule', SCHEDULE_ARGS);
    assert.deepEqual(calls[0], { connection: 1, name: 'execute', args: [expected.sql, expected.binds, { autoCommit: false }] });
    assert.deepEqual(
      calls.map((c) => `${c.connection}:${c.name}`),
      ['1:execute', '1:execute', '1:commit', '1:close'],
      'one connection for the call and the update, committed once',
    );
    assert.match(calls[1]!.args[0] as string, /^update "DWJOBSCH" set "NXT_RUN_SIG" = :1/);
  });

  test('a procedure returns undefined; a failing call rolls the transaction back', async () => {
    const { db, calls } = recordingPool(undefined);
    assert.equal(await db.transaction().execute((trx) => callOraclePackage(trx, 'enable_disable_schedule', ['M1', 'E'])), undefined);
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await callOraclePackage(trx, 'create_job_dependency', ['P', 'C']);
        throw new Error('later step failed');
      }),
      /later step failed/,
    );
    assert.deepEqual(calls.map((c) => `${c.connection}:${c.name}`), ['1:execute', '1:commit', '1:close', '2:execute', '2:rollback', '2:close']);
  });

  test('outside a transaction the call is refused before reaching the driver (its writes would be rolled back)', async () => {
    const { db, calls } = recordingPool({ r: 1 });
    await assert.rejects(callOraclePackage(db, 'create_job_schedule', SCHEDULE_ARGS), /must be called inside a transaction/);
    assert.deepEqual(calls, []);
  });
});
