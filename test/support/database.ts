import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { migrate } from '../../src/db/migrate.js';

export interface TestDatabase {
  url: string;
  dialect: PostgresDialect;
  /** Drops the database; call in `after`. */
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.DWPRC_TEST_DATABASE_URL;
  if (!url) throw new Error('DWPRC_TEST_DATABASE_URL is not set: run the tests with `npm test` (test/run.ts starts the database)');
  return url;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the test server, optionally with the schema migrated. */
export async function createTestDatabase(options: { migrate?: boolean; tablePrefix?: string; poolMax?: number } = {}): Promise<TestDatabase> {
  const name = `dwprc_t_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const tablePrefix = options.tablePrefix ?? 'DW';
  const dialect = new PostgresDialect({ url: url.toString(), schema: null, tablePrefix, poolMax: options.poolMax ?? 10 });
  if (options.migrate !== false) await migrate(dialect, tablePrefix);
  return {
    url: url.toString(),
    dialect,
    async drop() {
      await dialect.close();
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
