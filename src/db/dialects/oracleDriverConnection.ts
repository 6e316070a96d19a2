import type { Kysely } from 'kysely';
import type oracledb from 'oracledb';
import type { Database } from '../schema.js';

/**
 * Runs `fn` on the node-oracledb connection under `db`: a transaction's own connection when `db`
 * is one, so what `fn` executes commits or rolls back with it. kysely-oracledb passes binds only
 * as a positional array, while a PL/SQL call with OUT binds is bound by name (ORACLE.md); that
 * needs the driver connection. Kysely reaches it only through its executor (not public API, hence
 * the recording-fake test in test/oracle/packageCall.test.ts that runs through real Kysely).
 */
export function withDriverConnection<T>(db: Kysely<Database>, fn: (connection: oracledb.Connection) => Promise<T>): Promise<T> {
  return db.getExecutor().provideConnection((databaseConnection) => {
    const driver = (databaseConnection as { connection?: oracledb.Connection }).connection;
    if (!driver) throw new Error('withDriverConnection: not a kysely-oracledb connection');
    return fn(driver);
  });
}
