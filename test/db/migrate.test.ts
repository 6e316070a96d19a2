import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { CONTRACT, postgresType } from '../../src/db/contract.js';
import { migrate, migrationFiles } from '../../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('migrations on PostgreSQL', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ migrate: false });
  });
  after(() => t.drop());

  test('apply every file on an empty database, then re-apply as a no-op', async () => {
    const files = await migrationFiles('postgres', 'DW');
    const first = await migrate(t.dialect, 'DW');
    assert.deepEqual(first.applied.map((m) => m.version), files.map((f) => f.version));
    const second = await migrate(t.dialect, 'DW');
    assert.deepEqual(second.applied, []);
    assert.equal(second.current, files.at(-1)!.version);
    const rows = await t.dialect.db.selectFrom('dwprcver').select(['version', 'name']).orderBy('version').execute();
    assert.equal(rows.length, files.length);
  });

  test('every COMPAT.md column exists with its type', async () => {
    const actual = await t.dialect.describeTables(Object.keys(CONTRACT));
    for (const [table, columns] of Object.entries(CONTRACT)) {
      const found = actual.get(table);
      assert.ok(found, `table ${table} exists`);
      for (const [column, oracleType] of Object.entries(columns)) {
        assert.equal(found.get(column)?.type, postgresType(oracleType), `${table}.${column} (${oracleType})`);
      }
    }
  });

  test('columns added by dwprc have defaults, so rows written without them stay valid', async () => {
    await sql`insert into dwprcreq (request_id, mapref, request_type) values ('ui-1', 'M', 'IMMEDIATE')`.execute(t.dialect.db);
    const row = await t.dialect.db.selectFrom('dwprcreq').selectAll().where('requestId', '=', 'ui-1').executeTakeFirstOrThrow();
    assert.equal(row.status, 'NEW');
    assert.equal(row.attempts, 0);
    assert.equal(row.stopRequested, 'N');
    assert.ok(row.requestedAt instanceof Date);
  });

  test('sequences start at 1 and step by 1', async () => {
    const { rows } = await sql<{ a: number; b: number }>`select ${t.dialect.nextValue('dwjoberrseq')} as a, ${t.dialect.nextValue('dwjoberrseq')} as b`.execute(t.dialect.db);
    assert.deepEqual(rows[0], { a: 1, b: 2 });
  });
});

describe('concurrent and prefixed migrations', () => {
  test('two replicas migrating at once apply each file exactly once', async () => {
    const t = await createTestDatabase({ migrate: false });
    const other = await createTestDatabase({ migrate: false });
    try {
      // a second dialect on the same database as `t`
      const { PostgresDialect } = await import('../../src/db/dialects/postgres.js');
      const twin = new PostgresDialect({ url: t.url, schema: null, tablePrefix: 'DW', poolMax: 4 });
      const [a, b] = await Promise.all([migrate(t.dialect, 'DW'), migrate(twin, 'DW')]);
      await twin.close();
      const files = await migrationFiles('postgres', 'DW');
      assert.equal(a.applied.length + b.applied.length, files.length);
    } finally {
      await t.drop();
      await other.drop();
    }
  });

  test('a DMS_ install gets DMS_PRCREQ and the queries use it', async () => {
    const t = await createTestDatabase({ tablePrefix: 'DMS_' });
    try {
      const { rows } = await sql<{ n: string }>`select table_name as n from information_schema.tables where table_schema = current_schema() order by 1`.execute(t.dialect.db);
      const names = rows.map((r) => r.n);
      assert.ok(names.includes('dms_prcreq') && names.includes('dms_jobsch') && names.includes('dms_prcver'), names.join(','));
      assert.ok(!names.includes('dwprcreq'));
      await t.dialect.db.insertInto('dwprcreq').values({ requestId: 'x', mapref: 'M', requestType: 'IMMEDIATE' }).execute();
      const { rows: count } = await sql<{ c: number }>`select count(*)::int as c from dms_prcreq`.execute(t.dialect.db);
      assert.equal(count[0]!.c, 1);
      const { rows: seq } = await sql<{ v: number }>`select ${t.dialect.nextValue('dwprclogseq')} as v`.execute(t.dialect.db);
      assert.equal(seq[0]!.v, 1);
      // 090: the claim's index (its name unprefixed, as 001 made it) keeps equal keys apart.
      const { rows: options } = await sql<{ o: string[] | null }>`select reloptions as o from pg_class where relname = 'dwprcreq_status'`.execute(t.dialect.db);
      assert.deepEqual(options, [{ o: ['deduplicate_items=off'] }]);
    } finally {
      await t.drop();
    }
  });
});
