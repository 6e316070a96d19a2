import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { migrate } from '../../src/db/migrate.js';
import { createReadinessCheck } from '../../src/observe/readiness.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('readiness', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());

  test('ready when the database answers and its schema is current; the version is read at most every TTL', async () => {
    const cached = createReadinessCheck({ dialect: t.dialect, tablePrefix: 'DW', schemaTtlMs: 60_000 });
    const uncached = createReadinessCheck({ dialect: t.dialect, tablePrefix: 'DW', schemaTtlMs: 0 });
    assert.deepEqual(await cached(), { ready: true });
    const latest = await t.dialect.db.selectFrom('dwprcver').select((eb) => eb.fn.max('version').as('v')).executeTakeFirstOrThrow();
    await t.dialect.db.deleteFrom('dwprcver').where('version', '=', latest.v).execute();
    try {
      assert.deepEqual(await cached(), { ready: true }, 'the verdict is cached');
      const stale = await uncached();
      assert.equal(stale.ready, false);
      assert.match(stale.reason!, /^schema version \d+, this dwprc expects \d+: run dwprc db migrate$/);
    } finally {
      await t.dialect.db.insertInto('dwprcver').values({ version: latest.v, name: 'restored' }).execute();
    }
  });

  test('an unmigrated database is not ready, and that verdict is not cached', async () => {
    const empty = await createTestDatabase({ migrate: false });
    try {
      const check = createReadinessCheck({ dialect: empty.dialect, tablePrefix: 'DW', schemaTtlMs: 60_000 });
      const state = await check();
      assert.equal(state.ready, false);
      assert.match(state.reason!, /^schema not migrated \(this dwprc expects version \d+\): run dwprc db migrate$/);
      await migrate(empty.dialect, 'DW');
      assert.deepEqual(await check(), { ready: true });
    } finally {
      await empty.drop();
    }
  });

  test('an unreachable database: not ready with the reason, password not shown', async () => {
    const down = new PostgresDialect({ url: 'postgres://dw:topsecret@127.0.0.1:1/none', schema: null, tablePrefix: 'DW', poolMax: 1 });
    try {
      const state = await createReadinessCheck({ dialect: down, tablePrefix: 'DW' })();
      assert.equal(state.ready, false);
      assert.match(state.reason!, /^database unreachable: .*ECONNREFUSED/);
      assert.doesNotMatch(state.reason!, /topsecret/);
    } finally {
      await down.close();
    }
  });

  test('a database that does not answer in time: not ready after the timeout, not later', async () => {
    // A pool of one connection, held elsewhere: the ping waits for a connection that never comes.
    const busy = new PostgresDialect({ url: t.url, schema: null, tablePrefix: 'DW', poolMax: 1 });
    const held = await busy.pool.connect();
    try {
      const started = Date.now();
      const state = await createReadinessCheck({ dialect: busy, tablePrefix: 'DW', timeoutMs: 300 })();
      const took = Date.now() - started;
      assert.deepEqual(state, { ready: false, reason: 'database unreachable: database ping took longer than 300 ms' });
      assert.ok(took >= 290 && took < 3000, `answered after ${took} ms`);
    } finally {
      held.release();
      await busy.close();
    }
  });
});
