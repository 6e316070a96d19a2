import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import type { Dialect } from '../../src/db/dialects/dialect.js';
import { OracleDialect } from '../../src/db/dialects/oracle.js';
import { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { migrate } from '../../src/db/migrate.js';

/** What the shared test helpers need of a database, whichever it is. */
export interface DatabaseUnderTest {
  /** The DWPRC_DATABASE_URL of this database (the engine harness builds its Config from it). */
  url: string;
  dialect: Dialect;
}

export interface TestDatabase extends DatabaseUnderTest {
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

/**
 * Oracle has no database to create per run (a user needs DBA rights to make one): the Oracle
 * integration tests use the dedicated, otherwise empty schema of the user in this URL. They
 * migrate it (idempotent) and empty the tables they use before each test.
 */
export const ORACLE_URL_VARIABLE = 'DWPRC_TEST_ORACLE_URL';

/** Why the Oracle tests are skipped, or undefined when they run. */
export function oracleSkipReason(): string | undefined {
  return process.env[ORACLE_URL_VARIABLE]
    ? undefined
    : `no Oracle server: set ${ORACLE_URL_VARIABLE}=oracle://user:pw@host:1521/FREEPDB1 (Oracle Database Free) to run`;
}

export interface OracleTestDatabase extends DatabaseUnderTest {
  dialect: OracleDialect;
  /** Another dialect (its own pool) on the same schema: a second replica. Closed with the first. */
  replica(options?: { alerts?: boolean }): Promise<OracleDialect>;
  /** Empties `tables` (default: every DW table the tests write) with TRUNCATE. */
  clear(tables?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** Every table the Oracle tests write, by its Oracle name. */
export const ORACLE_TEST_TABLES = ['DWPRCREQ', 'DWPRCLOG', 'DWJOBLOG', 'DWJOBERR', 'DWJOBSCH', 'DWJOBFLW', 'DWJOB', 'DWMAPR', 'DWPARAMS', 'DWPRCWRK'] as const;

async function openOracle(url: string, poolMax: number, alerts = false): Promise<OracleDialect> {
  const target = loadConfig({ DWPRC_DATABASE_URL: url }).database;
  if (target.kind !== 'oracle') throw new Error(`${ORACLE_URL_VARIABLE} must be an oracle:// URL`);
  return OracleDialect.create({ user: target.user, password: target.password, connectString: target.connectString, schema: null, tablePrefix: 'DW', poolMax, alerts });
}

/** The schema of DWPRC_TEST_ORACLE_URL, migrated (call only when oracleSkipReason() is undefined). */
export async function openOracleTestDatabase(options: { poolMax?: number } = {}): Promise<OracleTestDatabase> {
  const url = process.env[ORACLE_URL_VARIABLE];
  if (!url) throw new Error(oracleSkipReason());
  const dialect = await openOracle(url, options.poolMax ?? 10);
  const replicas: OracleDialect[] = [];
  await migrate(dialect, 'DW');
  return {
    url,
    dialect,
    async replica({ alerts = false } = {}) {
      const replica = await openOracle(url, 4, alerts);
      replicas.push(replica);
      return replica;
    },
    async clear(tables = ORACLE_TEST_TABLES) {
      for (const table of tables) await sql`TRUNCATE TABLE ${sql.raw(table)}`.execute(dialect.db);
    },
    async close() {
      await Promise.all([dialect, ...replicas].map((d) => d.close()));
    },
  };
}
