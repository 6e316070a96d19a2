import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import oracledb from 'oracledb';
import type { RowBatch } from '../../src/db/dialects/dialect.js';
import { reportColumnKind, reportFetchType, streamOracleRows } from '../../src/db/dialects/oracleRowStream.js';
import './grammar/checkCompiledSql.js';

/**
 * No Oracle server here: a recording fake of the few node-oracledb connection calls a report
 * makes pins the driver options (ORACLE.md) and the cursor's life cycle. The driver's own
 * behaviour (type handler applied to values) is checked on the handler itself.
 */
interface Call {
  name: string;
  args: unknown[];
}

function fakeConnection(batches: unknown[][][], options: { metaData?: oracledb.Metadata<unknown>[]; noResultSet?: boolean; hangOnGetRows?: number } = {}) {
  const calls: Call[] = [];
  const state = { module: undefined as string | undefined, actions: [] as string[] };
  let interrupt: ((error: Error) => void) | null = null;
  let getRowsCount = 0;
  const resultSet = {
    metaData: options.metaData ?? [{ name: 'ID', dbType: oracledb.DB_TYPE_NUMBER }, { name: 'Name', dbType: oracledb.DB_TYPE_VARCHAR }],
    getRows: async (n: number) => {
      calls.push({ name: 'getRows', args: [n] });
      getRowsCount += 1;
      if (options.hangOnGetRows === getRowsCount) {
        return new Promise<unknown[][]>((_resolve, reject) => {
          interrupt = reject;
          calls.push({ name: 'getRows:waiting', args: [] });
        });
      }
      return batches.shift() ?? [];
    },
    close: async () => void calls.push({ name: 'resultSet.close', args: [] }),
  };
  const connection = {
    set module(value: string) {
      state.module = value;
    },
    set action(value: string) {
      state.actions.push(value);
    },
    execute: async (sql: string, binds: unknown, opts: unknown) => {
      calls.push({ name: 'execute', args: [sql, binds, opts] });
      return options.noResultSet ? { rowsAffected: 1 } : { resultSet };
    },
    break: async () => {
      calls.push({ name: 'break', args: [] });
      interrupt?.(Object.assign(new Error('ORA-01013: user requested cancel of current operation'), { errorNum: 1013 }));
    },
    close: async (opts: unknown) => void calls.push({ name: 'close', args: [opts] }),
  };
  return { connection: connection as unknown as oracledb.Connection, calls, state, names: () => calls.map((c) => c.name) };
}

async function collect(iterable: AsyncIterable<RowBatch>): Promise<RowBatch[]> {
  const out: RowBatch[] = [];
  for await (const batch of iterable) out.push(batch);
  return out;
}

describe('Oracle report rows: driver options and cursor life cycle (recording fake)', () => {
  test('one result-set query with array rows, fetch sizes = batch size, the report type handler; named binds passed as given', async () => {
    const fake = fakeConnection([[['1', 'a'], ['2', 'b']], [['3', 'c']]]);
    const sql = 'SELECT ID, "Name" FROM T WHERE D >= TO_DATE(:from_day, \'YYYY-MM-DD\')';
    const batches = await collect(streamOracleRows(async () => fake.connection, sql, { from_day: '2024-01-01' }, { batchSize: 2, label: 'dwprc report SALES' }));

    const execute = fake.calls.find((c) => c.name === 'execute')!;
    assert.equal(execute.args[0], sql, 'Oracle SQL is sent untouched: :name binds are native');
    assert.deepEqual(execute.args[1], { from_day: '2024-01-01' });
    assert.deepEqual(execute.args[2], {
      resultSet: true,
      outFormat: oracledb.OUT_FORMAT_ARRAY,
      fetchArraySize: 2,
      prefetchRows: 2,
      fetchTypeHandler: reportFetchType,
    });
    assert.deepEqual(fake.names(), ['execute', 'getRows', 'getRows', 'resultSet.close', 'close']);
    assert.deepEqual(fake.calls.filter((c) => c.name === 'getRows').map((c) => c.args[0]), [2, 2]);
    assert.deepEqual(fake.calls.at(-1)!.args, [{ drop: false }], 'a clean session goes back to the pool');
    assert.equal(fake.state.module, 'dwprc');
    assert.deepEqual(fake.state.actions, ['dwprc report SALES', ''], 'ACTION names the report while it runs, then is cleared');

    assert.deepEqual(batches.map((b) => b.rows), [[['1', 'a'], ['2', 'b']], [['3', 'c']]]);
    assert.deepEqual(batches[0]!.columns, [{ name: 'ID', kind: 'number' }, { name: 'Name', kind: 'text' }], 'names as the driver reports them, not camel-cased');
  });

  test('positional binds are passed as an array; an empty result still yields its columns', async () => {
    const fake = fakeConnection([[]]);
    const batches = await collect(streamOracleRows(async () => fake.connection, 'SELECT ID, "Name" FROM T WHERE A = :1', ['x'], { batchSize: 100 }));
    assert.deepEqual(fake.calls[0]!.args[1], ['x']);
    assert.deepEqual(batches, [{ columns: [{ name: 'ID', kind: 'number' }, { name: 'Name', kind: 'text' }], rows: [] }]);
  });

  test('abort during a fetch breaks the call in flight, closes the result set and drops the session', async () => {
    const fake = fakeConnection([[['1', 'a']]], { hangOnGetRows: 2 });
    const controller = new AbortController();
    const seen: RowBatch[] = [];
    const run = (async () => {
      for await (const batch of streamOracleRows(async () => fake.connection, 'SELECT 1 FROM DUAL', [], { batchSize: 1, signal: controller.signal })) seen.push(batch);
    })();
    await waitUntil(() => fake.names().includes('getRows:waiting'));
    controller.abort();
    await assert.rejects(run, /ORA-01013/);
    assert.equal(seen.length, 1);
    assert.deepEqual(fake.names().slice(-3), ['break', 'resultSet.close', 'close']);
    assert.deepEqual(fake.calls.at(-1)!.args, [{ drop: true }]);
  });

  test('a consumer that stops early still closes the result set and the connection', async () => {
    const fake = fakeConnection([[['1', 'a']], [['2', 'b']], [['3', 'c']]]);
    for await (const batch of streamOracleRows(async () => fake.connection, 'SELECT 1 FROM DUAL', [], { batchSize: 1 })) {
      assert.equal(batch.rows.length, 1);
      break;
    }
    assert.deepEqual(fake.names(), ['execute', 'getRows', 'resultSet.close', 'close']);
  });

  test('a statement that is not a query is refused (and rolled back by closing the session)', async () => {
    const fake = fakeConnection([], { noResultSet: true });
    await assert.rejects(collect(streamOracleRows(async () => fake.connection, 'UPDATE T SET X = 1', [], { batchSize: 10 })), /report SQL must be a query/);
    assert.deepEqual(fake.names(), ['execute', 'close']);
  });

  test('the fetch type handler: exact NUMBER text, wall-clock DATE/TIMESTAMP, UTC TIMESTAMP WITH TIME ZONE, LOBs as text, RAW/BLOB as hex', () => {
    const handled = (dbType: oracledb.DbType) => reportFetchType({ dbType });
    const convert = (dbType: oracledb.DbType, value: unknown) => handled(dbType)!.converter!(value as never);

    assert.equal(handled(oracledb.DB_TYPE_NUMBER)!.type, oracledb.STRING);
    assert.equal(convert(oracledb.DB_TYPE_NUMBER, '.5'), '0.5');
    assert.equal(convert(oracledb.DB_TYPE_NUMBER, '-.25'), '-0.25');
    assert.equal(convert(oracledb.DB_TYPE_NUMBER, '12345678901234567890.12'), '12345678901234567890.12');
    assert.equal(convert(oracledb.DB_TYPE_NUMBER, null), null);

    assert.equal(convert(oracledb.DB_TYPE_DATE, new Date(Date.UTC(2024, 0, 2, 3, 4, 5))), '2024-01-02T03:04:05');
    assert.equal(convert(oracledb.DB_TYPE_TIMESTAMP, new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 120))), '2024-01-02T03:04:05.120');
    assert.equal(convert(oracledb.DB_TYPE_TIMESTAMP_TZ, new Date(Date.UTC(2024, 0, 2, 3, 4, 5))), '2024-01-02T03:04:05.000Z');
    assert.equal(convert(oracledb.DB_TYPE_TIMESTAMP_LTZ, null), null);

    assert.deepEqual(handled(oracledb.DB_TYPE_CLOB), { type: oracledb.STRING });
    assert.deepEqual(handled(oracledb.DB_TYPE_NCLOB), { type: oracledb.STRING });
    assert.equal(handled(oracledb.DB_TYPE_BLOB)!.type, oracledb.BUFFER);
    assert.equal(convert(oracledb.DB_TYPE_BLOB, Buffer.from([0xca, 0xfe])), 'CAFE');
    assert.equal(convert(oracledb.DB_TYPE_RAW, Buffer.from([1, 2])), '0102');
    assert.equal(handled(oracledb.DB_TYPE_VARCHAR), undefined);
    assert.equal(handled(oracledb.DB_TYPE_BINARY_DOUBLE), undefined);
    assert.equal(convert(oracledb.DB_TYPE_INTERVAL_DS, { days: 1, hours: 2 }), '{"days":1,"hours":2}');

    const kinds = [
      oracledb.DB_TYPE_NUMBER,
      oracledb.DB_TYPE_BINARY_DOUBLE,
      oracledb.DB_TYPE_BOOLEAN,
      oracledb.DB_TYPE_DATE,
      oracledb.DB_TYPE_TIMESTAMP,
      oracledb.DB_TYPE_TIMESTAMP_TZ,
      oracledb.DB_TYPE_VARCHAR,
      oracledb.DB_TYPE_CLOB,
    ].map((dbType) => reportColumnKind({ dbType }));
    assert.deepEqual(kinds, ['number', 'number', 'boolean', 'timestamp', 'timestamp', 'timestamptz', 'text', 'text']);
  });
});

async function waitUntil(condition: () => boolean, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
