import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_PREPARED_PER_CONNECTION } from '../../src/db/dialects/postgresPreparedClient.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('prepared statements on PostgreSQL (PreparingClient)', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());

  const preparedOn = async (client: { query: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }> }) =>
    (await client.query('select statement from pg_prepared_statements order by statement')).rows as { statement: string }[];

  test('a statement with parameters is prepared once per connection and reused; one without goes unnamed', async () => {
    const client = await t.dialect.pool.connect();
    try {
      for (let i = 0; i < 3; i++) assert.deepEqual((await client.query('select $1::int + 1 as n', [i])).rows, [{ n: i + 1 }]);
      await client.query('select 42 as n');
      assert.deepEqual(await preparedOn(client), [{ statement: 'select $1::int + 1 as n' }]);
    } finally {
      client.release();
    }
  });

  test(`a connection prepares at most ${MAX_PREPARED_PER_CONNECTION} statements; past that they still run, unnamed`, async () => {
    const client = await t.dialect.pool.connect();
    try {
      for (let i = 0; i < MAX_PREPARED_PER_CONNECTION + 20; i++) {
        assert.deepEqual((await client.query(`select $1::int as n${i}`, [i])).rows, [{ [`n${i}`]: i }]);
      }
      assert.equal((await preparedOn(client)).length, MAX_PREPARED_PER_CONNECTION);
    } finally {
      client.release(true);
    }
  });

  test('a statement whose result columns changed under it (DDL) fails once, then is prepared afresh', async () => {
    const client = await t.dialect.pool.connect();
    try {
      await client.query('create table prep_t (id int primary key, a text)');
      await client.query("insert into prep_t values (1, 'x')");
      const read = () => client.query('select * from prep_t where id = $1', [1]);
      assert.deepEqual((await read()).rows, [{ id: 1, a: 'x' }]);
      await client.query('alter table prep_t add column b int');
      await assert.rejects(read(), /cached plan must not change result type/);
      assert.deepEqual((await read()).rows, [{ id: 1, a: 'x', b: null }]);
      assert.deepEqual((await read()).rows, [{ id: 1, a: 'x', b: null }]);
    } finally {
      client.release(true);
    }
  });

  test('a statement that fails at parse time leaves nothing behind: the corrected text runs', async () => {
    const client = await t.dialect.pool.connect();
    try {
      await assert.rejects(client.query('select $1::int from no_such_table', [1]), /no_such_table/);
      await assert.rejects(client.query('select $1::int from no_such_table', [1]), /no_such_table/, 'the same error again, not "prepared statement does not exist"');
      assert.deepEqual((await client.query('select $1::int as n', [5])).rows, [{ n: 5 }]);
    } finally {
      client.release(true);
    }
  });
});
