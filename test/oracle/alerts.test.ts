import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import oracledb from 'oracledb';
import type { WakeChannel } from '../../src/db/dialects/dialect.js';
import { classifyOracleError, OracleDialect, type OracleOptions } from '../../src/db/dialects/oracle.js';
import { type AlertConnection, listenOracleAlerts, ORACLE_ALERTS, REGISTER_ALERT, signalAlert, WAIT_FOR_ALERT, waitBinds } from '../../src/db/dialects/oracleAlerts.js';
import { UserError } from '../../src/errors.js';
import { assertOracleSql, compileOnlyOracle } from './oracleSqlRules.js';
import { waitFor } from '../support/waitFor.js';

/**
 * DBMS_ALERT wake-ups (DWPRC_ORACLE_ALERTS=1). The PL/SQL text and binds are pinned; the listener's
 * own loop (register, wait, reconnect, close) runs against a scripted fake of the driver
 * connection, because no Oracle server runs here: it shows what dwprc does with each answer,
 * not what Oracle answers. test/oracle/integration.test.ts covers the real thing.
 */

describe('DBMS_ALERT: the PL/SQL dwprc sends', () => {
  test('register and wait: named binds, the alert name and message as sized OUT strings', () => {
    assert.equal(REGISTER_ALERT, 'BEGIN DBMS_ALERT.REGISTER(:name); END;');
    assert.equal(WAIT_FOR_ALERT, 'BEGIN DBMS_ALERT.WAITANY(:name, :message, :status, :timeout); END;');
    assert.deepEqual(waitBinds(5), {
      name: { dir: oracledb.BIND_OUT, type: oracledb.STRING, maxSize: 30 },
      message: { dir: oracledb.BIND_OUT, type: oracledb.STRING, maxSize: 1800 },
      status: { dir: oracledb.BIND_OUT, type: oracledb.NUMBER },
      timeout: { dir: oracledb.BIND_IN, type: oracledb.NUMBER, val: 5 },
    });
    assert.deepEqual(ORACLE_ALERTS, { request: 'DWPRC_REQUEST', stop: 'DWPRC_STOP' });
  });

  test('signal: a PL/SQL call in the caller transaction, the alert name and message bound', () => {
    const q = assertOracleSql(signalAlert('stop').compile(compileOnlyOracle().db), { binds: ['DWPRC_STOP'] });
    assert.equal(q.sql, 'BEGIN DBMS_ALERT.SIGNAL(:1, :2); END;');
    assert.deepEqual(q.parameters, ['DWPRC_STOP', 'stop']);
  });
});

const OPTIONS: OracleOptions = { user: 'dw', password: 'pw', connectString: 'db/DW', schema: null, tablePrefix: 'DW', poolMax: 2 };

function recordingPool() {
  const calls: { name: string; sql?: string; binds?: unknown; options?: Record<string, unknown> }[] = [];
  const pool = {
    getConnection: async () => ({
      execute: async (sql: string, binds: unknown, options: Record<string, unknown>) => {
        calls.push({ name: 'execute', sql, binds, options });
        return { rowsAffected: 1 };
      },
      commit: async () => void calls.push({ name: 'commit' }),
      rollback: async () => void calls.push({ name: 'rollback' }),
      close: async () => void calls.push({ name: 'close' }),
    }),
    close: async () => undefined,
  } as unknown as oracledb.Pool;
  return { pool, calls };
}

describe('DBMS_ALERT: off unless DWPRC_ORACLE_ALERTS', () => {
  test('off: notify sends nothing and listen opens no session (polling only)', async () => {
    const { pool, calls } = recordingPool();
    const dialect = OracleDialect.overPool(pool, OPTIONS);
    await dialect.db.transaction().execute((trx) => dialect.notify(trx, 'stop'));
    assert.deepEqual(calls.map((c) => c.name), ['commit', 'close']);
    await (await dialect.listen(() => undefined)).close();
  });

  test('on: notify signals inside the transaction, which commits it (no autocommit of its own)', async () => {
    const { pool, calls } = recordingPool();
    const dialect = OracleDialect.overPool(pool, { ...OPTIONS, alerts: true });
    await dialect.db.transaction().execute((trx) => dialect.notify(trx, 'stop'));
    await dialect.db.transaction().execute((trx) => dialect.notify(trx, 'reconnected'));
    assert.deepEqual(calls.map((c) => c.name), ['execute', 'commit', 'close', 'commit', 'close']);
    assert.equal(calls[0]!.sql, 'BEGIN DBMS_ALERT.SIGNAL(:1, :2); END;');
    assert.deepEqual(calls[0]!.binds, ['DWPRC_STOP', 'stop']);
    assert.notEqual(calls[0]!.options!.autoCommit, true);
  });
});

type Answer = { status: number; name?: string } | Error | 'hang';

/** A scripted dedicated connection: each WAITANY takes the next answer; 'hang' waits until break(). */
function scriptedConnection(answers: Answer[], log: string[], id: number): AlertConnection {
  let interrupt: ((e: Error) => void) | null = null;
  const connection = {
    async execute(sql: string, binds: Record<string, unknown>) {
      if (sql === REGISTER_ALERT) {
        log.push(`${id}:register ${String(binds.name)}`);
        return {};
      }
      const answer = answers.shift() ?? 'hang';
      if (answer === 'hang') {
        log.push(`${id}:wait`);
        return new Promise((_, reject) => (interrupt = reject));
      }
      if (answer instanceof Error) throw answer;
      return { outBinds: { name: answer.name ?? null, message: null, status: answer.status } };
    },
    async break() {
      log.push(`${id}:break`);
      interrupt?.(Object.assign(new Error('ORA-01013: user requested cancel of current operation'), { code: 'ORA-01013' }));
    },
    async close() {
      log.push(`${id}:close`);
    },
  };
  return connection as unknown as AlertConnection;
}

describe('DBMS_ALERT listener loop (scripted driver connection)', () => {
  test('registers both alerts on one dedicated session, wakes per alert, ignores timeouts, and close breaks the wait', async () => {
    const log: string[] = [];
    const woken: WakeChannel[] = [];
    const answers: Answer[] = [{ status: 1 }, { status: 0, name: 'DWPRC_REQUEST' }, { status: 0, name: 'DWPRC_STOP' }, { status: 0, name: 'SOMEONE_ELSE' }];
    let opened = 0;
    const listener = await listenOracleAlerts({ connect: async () => scriptedConnection(answers, log, ++opened), classifyError: classifyOracleError }, (c) => woken.push(c));
    await waitFor(() => log.includes('1:wait'), 'the listener waiting');
    assert.deepEqual(woken, ['request', 'stop']);
    await listener.close();
    assert.deepEqual(log, ['1:register DWPRC_REQUEST', '1:register DWPRC_STOP', '1:wait', '1:break', '1:close']);
    assert.equal(opened, 1);
  });

  test('a lost session: a new one after a backoff, then "reconnected" so the worker polls at once', async () => {
    const log: string[] = [];
    const woken: WakeChannel[] = [];
    const lost = Object.assign(new Error('NJS-500: connection to the Oracle Database was broken'), { code: 'NJS-500' });
    const scripts: Answer[][] = [[lost], [{ status: 0, name: 'DWPRC_REQUEST' }]];
    let opened = 0;
    const listener = await listenOracleAlerts(
      { connect: async () => scriptedConnection(scripts.shift() ?? [], log, ++opened), classifyError: classifyOracleError, maxBackoffMs: 20 },
      (c) => woken.push(c),
    );
    await waitFor(() => log.includes('2:wait'), 'the second session waiting');
    assert.deepEqual(woken, ['reconnected', 'request']);
    await listener.close();
    assert.deepEqual(log.filter((l) => l.startsWith('1:')), ['1:register DWPRC_REQUEST', '1:register DWPRC_STOP', '1:close']);
  });

  test('no grant: a one-line refusal naming the remedy; the database down at start: retried in the background', async () => {
    const denied = Object.assign(new Error("ORA-06550: line 1, column 7:\nPLS-00201: identifier 'DBMS_ALERT' must be declared"), { code: 'ORA-06550' });
    const log: string[] = [];
    const failing = { execute: async () => Promise.reject(denied), break: async () => undefined, close: async () => void log.push('closed') } as unknown as AlertConnection;
    await assert.rejects(
      listenOracleAlerts({ connect: async () => failing, classifyError: classifyOracleError }, () => undefined),
      (error: unknown) =>
        error instanceof UserError &&
        error.message === "DWPRC_ORACLE_ALERTS=1, but DBMS_ALERT cannot be used (ORA-06550: line 1, column 7: PLS-00201: identifier 'DBMS_ALERT' must be declared): GRANT EXECUTE ON SYS.DBMS_ALERT to the dwprc user, or unset DWPRC_ORACLE_ALERTS to poll only",
    );
    assert.deepEqual(log, ['closed'], 'the half-opened session is closed');

    const down = Object.assign(new Error('NJS-503: connection to host db port 1521 could not be established'), { code: 'NJS-503' });
    let attempts = 0;
    const woken: WakeChannel[] = [];
    const trace: string[] = [];
    const listener = await listenOracleAlerts(
      {
        connect: async () => {
          attempts += 1;
          if (attempts < 3) throw down;
          return scriptedConnection([], trace, attempts);
        },
        classifyError: classifyOracleError,
        maxBackoffMs: 20,
      },
      (c) => woken.push(c),
    );
    await waitFor(() => trace.includes('3:wait'), 'the session opened once the database answers');
    assert.deepEqual(woken, ['reconnected']);
    await listener.close();
  });
});
