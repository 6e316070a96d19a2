import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import oracledb from 'oracledb';
import { OracleDialect, type OracleOptions, oraclePoolAttributes, OracleRunSession } from '../../src/db/dialects/oracle.js';
import { cancelRequest } from '../../src/queue/cancelRequest.js';
import { completeRequest } from '../../src/queue/completeRequest.js';
import { childSchedulesQuery } from '../../src/scheduler/fanOut.js';
import './grammar/checkCompiledSql.js';

/**
 * Driver options only (ORACLE.md), on a recording fake of the node-oracledb pool and connection
 * under the real Kysely and kysely-oracledb: what the code asks of the driver, not what Oracle
 * then does. Behaviour is tested against a real Oracle in integration.test.ts.
 */

const OPTIONS: OracleOptions = { user: 'dw', password: 'secret', connectString: 'db:1521/DW', schema: null, tablePrefix: 'DW', poolMax: 7 };

interface Call {
  connection: number;
  name: string;
  sql?: string;
  binds?: unknown;
  options?: Record<string, unknown>;
}

type Answer = (sql: string) => { rows?: unknown[]; rowsAffected?: number };

/** A pool of numbered fake connections recording every driver call; `answer` gives each execute's result. */
function recordingPool(answer: Answer = () => ({ rows: [], rowsAffected: 1 })) {
  const calls: Call[] = [];
  let opened = 0;
  const tags: Record<string, string | undefined>[] = [];
  const pool = {
    getConnection: async () => {
      const connection = ++opened;
      const tag: Record<string, string | undefined> = {};
      tags.push(tag);
      return {
        execute: async (sql: string, binds: unknown, options: Record<string, unknown>) => {
          calls.push({ connection, name: 'execute', sql, binds, options });
          return answer(sql);
        },
        commit: async () => void calls.push({ connection, name: 'commit' }),
        rollback: async () => void calls.push({ connection, name: 'rollback' }),
        break: async () => void calls.push({ connection, name: 'break' }),
        close: async (options?: unknown) => void calls.push({ connection, name: 'close', ...(options ? { options: options as Record<string, unknown> } : {}) }),
        set module(v: string) { tag.module = v; },
        set action(v: string) { tag.action = v; },
        set clientId(v: string) { tag.clientId = v; },
      };
    },
    close: async () => undefined,
  };
  const dialect = OracleDialect.overPool(pool as unknown as oracledb.Pool, OPTIONS);
  return { dialect, calls, tags, names: () => calls.map((c) => `${c.connection}:${c.name}`) };
}

const candidate = (id: string, mapref: string, type = 'IMMEDIATE') => ({
  REQUEST_ID: id, MAPREF: mapref, REQUEST_TYPE: type, PAYLOAD: null, ATTEMPTS: 0, PRCID: null, STOP_REQUESTED: 'N',
});

describe('Oracle driver options (recording fake of node-oracledb)', () => {
  test('claim: the FOR UPDATE SKIP LOCKED query fetches exactly the window (maxRows = prefetchRows = fetchArraySize), never autocommits, then the update and one commit on the same connection', async () => {
    const fake = recordingPool((sql) =>
      sql.startsWith('select') ? { rows: [candidate('a', 'M'), candidate('b', 'M'), candidate('c', 'N'), candidate('s', 'M', 'STOP')] } : { rowsAffected: 3 },
    );
    const claimed = await fake.dialect.claimRequests('host:1:abc', 3, 30_000);

    assert.deepEqual(fake.names(), ['1:execute', '1:execute', '1:commit', '1:close']);
    const [select, update] = fake.calls;
    const window = 16; // max(limit × 4, 16)
    assert.match(select!.sql!, /order by "Q"\."REQUESTED_AT" for update skip locked$/);
    assert.doesNotMatch(select!.sql!, /rownum|fetch first|limit/i);
    assert.deepEqual(
      { maxRows: select!.options!.maxRows, prefetchRows: select!.options!.prefetchRows, fetchArraySize: select!.options!.fetchArraySize, autoCommit: select!.options!.autoCommit },
      { maxRows: window, prefetchRows: window, fetchArraySize: window, autoCommit: false },
    );
    assert.match(update!.sql!, /^update "DWPRCREQ" set "STATUS" = :1, "CLAIMED_BY" = :2, "CLAIMED_AT" = CAST\(SYSTIMESTAMP AS TIMESTAMP\), "LEASE_EXPIRES_AT" = \(SYS_EXTRACT_UTC\(SYSTIMESTAMP\) \+ NUMTODSINTERVAL\(:3, 'SECOND'\)\), "ATTEMPTS" = "ATTEMPTS" \+ 1, "REQUEST_TYPE" = CASE .* END, "MAPREF" = CASE .* END where "REQUEST_ID" in \(:16, :17, :18\) and "STATUS" = :19$/);
    const binds = update!.binds as unknown[];
    assert.deepEqual([...binds.slice(0, 3), ...binds.slice(-4)], ['CLAIMED', 'host:1:abc', 30, 'a', 'c', 's', 'NEW']);
    assert.notEqual(update!.options!.autoCommit, true, 'the update commits with the transaction, not on its own');
    assert.deepEqual(claimed.map((r) => [r.requestId, r.attempts]), [['a', 1], ['c', 1], ['s', 1]], 'one IMMEDIATE per MAPREF, up to the limit');
  });

  test('claim with nothing due: no update, the (empty) transaction ends with the connection', async () => {
    const fake = recordingPool(() => ({ rows: [] }));
    assert.deepEqual(await fake.dialect.claimRequests('w', 1, 1000), []);
    assert.deepEqual(fake.names(), ['1:execute', '1:commit', '1:close']);
    assert.equal(fake.calls[0]!.options!.maxRows, 16);
  });

  test('a write outside a transaction commits on its own round trip (autoCommit), as on PostgreSQL: it is not rolled back at release', async () => {
    const fake = recordingPool();
    await cancelRequest(fake.dialect, 'R-1');
    assert.deepEqual(fake.names(), ['1:execute', '1:close']);
    assert.equal(fake.calls[0]!.options!.autoCommit, true);
  });

  test('inside a transaction nothing autocommits; the transaction commits once, or rolls back, and the next connection autocommits again', async () => {
    const fake = recordingPool();
    await fake.dialect.db.transaction().execute(async (trx) => {
      await trx.updateTable('dwprcreq').set({ status: 'DONE' }).where('requestId', '=', 'R-1').execute();
      await trx.insertInto('dwprcreq').values({ requestId: 'child', mapref: 'C', requestType: 'IMMEDIATE' }).execute();
    });
    assert.deepEqual(fake.names(), ['1:execute', '1:execute', '1:commit', '1:close']);
    assert.ok(fake.calls.filter((c) => c.name === 'execute').every((c) => c.options!.autoCommit !== true));

    await assert.rejects(
      fake.dialect.db.transaction().execute(async (trx) => {
        await trx.updateTable('dwprcreq').set({ status: 'NEW' }).where('requestId', '=', 'x').execute();
        throw new Error('later step failed');
      }),
      /later step failed/,
    );
    await fake.dialect.db.deleteFrom('dwprcwrk').where('workerId', '=', 'gone').execute();
    assert.deepEqual(fake.names().slice(4), ['2:execute', '2:rollback', '2:close', '3:execute', '3:close']);
    assert.notEqual(fake.calls[4]!.options!.autoCommit, true);
    assert.equal(fake.calls.at(-2)!.options!.autoCommit, true);
  });

  test('a run session: a pool connection tagged MODULE/ACTION/CLIENT_IDENTIFIER, cancelled with break(), released untagged', async () => {
    const fake = recordingPool(() => ({ rows: [{ v: 4711 }] }));
    const session = await fake.dialect.openRunSession();
    assert.equal(session.sessionId, 4711);
    (session as OracleRunSession).tag({ mapref: 'SALES_FACT', prcid: 42 });
    assert.deepEqual(fake.tags[0], { module: 'dwprc', action: 'SALES_FACT', clientId: '42' });
    await session.cancel();
    await session.release();
    assert.deepEqual(fake.names(), ['1:execute', '1:break', '1:close']);
    assert.deepEqual(fake.calls.at(-1)!.options, { drop: false });
    assert.deepEqual(fake.tags[0], { module: '', action: '', clientId: '' });
  });
});

describe('Oracle pool attributes', () => {
  test('poolMin 0 (an unreachable database must not make the pool spin), poolMax from DWPRC_POOL_MAX, dead peers expire', () => {
    const attributes = oraclePoolAttributes(OPTIONS);
    assert.deepEqual(
      { ...attributes },
      { user: 'dw', password: 'secret', connectString: 'db:1521/DW', poolMin: 0, poolMax: 7, poolIncrement: 1, expireTime: 1 },
    );
  });

  test('DWPRC_SCHEMA: every new session gets it as CURRENT_SCHEMA; anything but a plain identifier is refused', async () => {
    const attributes = oraclePoolAttributes({ ...OPTIONS, schema: 'DW_OWNER' });
    assert.equal(attributes.poolMin, 0);
    const executed: string[] = [];
    const connection = { execute: async (sql: string) => void executed.push(sql) } as unknown as oracledb.Connection;
    await new Promise<void>((resolve, reject) => (attributes.sessionCallback as (c: oracledb.Connection, t: string, d: (e?: Error) => void) => void)(connection, '', (e) => (e ? reject(e) : resolve())));
    assert.deepEqual(executed, ['ALTER SESSION SET CURRENT_SCHEMA = DW_OWNER']);
    assert.throws(() => oraclePoolAttributes({ ...OPTIONS, schema: 'DW; DROP TABLE X' }), /DWPRC_SCHEMA must be a plain identifier/);
  });

  test('completing a request: the statement built once (StatementTemplates) is sent with each request\'s own binds', async () => {
    const fake = recordingPool();
    for (const [id, message] of [['r1', 'one'], ['r2', 'two']] as const) {
      assert.equal(await completeRequest(fake.dialect, id, 'host:1:abc', 'DONE', { status: 'DONE', message }), true);
      assert.equal(await completeRequest(fake.dialect, id, 'host:1:abc', 'DONE', { status: 'DONE', message }, { mapref: `P_${id}`, pending: childSchedulesQuery, queue: async () => undefined }), true);
    }
    const sent = fake.calls.filter((c) => c.name === 'execute');
    assert.equal(sent.length, 4);
    assert.equal(sent[0]!.sql, sent[2]!.sql);
    assert.equal(sent[1]!.sql, sent[3]!.sql);
    assert.match(sent[1]!.sql!, /and not exists \(select .*"P"."MAPREF" = :\d+/);
    const binds = sent.map((c) => Object.values(c.binds as Record<string, unknown>));
    assert.deepEqual(binds[0], ['DONE', '{"status":"DONE","message":"one"}', null, 'r1', 'host:1:abc', 'CLAIMED']);
    assert.deepEqual(binds[2], ['DONE', '{"status":"DONE","message":"two"}', null, 'r2', 'host:1:abc', 'CLAIMED']);
    assert.deepEqual(binds[3]!.slice(0, 6), ['DONE', '{"status":"DONE","message":"two"}', null, 'r2', 'host:1:abc', 'CLAIMED']);
    assert.ok(binds[1]!.includes('P_r1') && !binds[1]!.includes('P_r2') && binds[3]!.includes('P_r2'), JSON.stringify(binds));
  });
});
