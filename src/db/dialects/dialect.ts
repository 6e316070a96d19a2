import type { Kysely, RawBuilder } from 'kysely';
import type { Database, SequenceName } from '../schema.js';

/**
 * Everything that differs between Oracle and PostgreSQL, behind one interface. Nothing outside
 * `src/db/dialects/` branches on the database; later features add members here.
 */
export interface Dialect {
  readonly name: 'postgres' | 'oracle';
  readonly db: Kysely<Database>;

  /** The database clock as a UTC wall time: what dwprc's own timing columns hold. */
  utcNow(): RawBuilder<Date>;
  /** The database's own local clock (SYSTIMESTAMP / localtimestamp), for log rows. */
  localNow(): RawBuilder<Date>;
  /** The next value of a DW sequence, as an expression. */
  nextValue(sequence: SequenceName): RawBuilder<number>;
  /** This session's id as DWPRCLOG.SESSIONID records it. */
  sessionId(): RawBuilder<number>;

  /** Server version string, for `doctor`. */
  serverVersion(): Promise<string>;
  /** The zone the database session uses; the default business zone. */
  sessionTimeZone(): Promise<string>;
  /** Column names (lower case) of each existing table among `tables` (default names). */
  describeTables(tables: readonly string[]): Promise<Map<string, Map<string, ColumnInfo>>>;
  /** Whether an index of that name exists in the DW schema (names as in sql/, any case). */
  indexExists(name: string): Promise<boolean>;

  /** Applies one migration file and records it, atomically where the database allows. */
  applyMigration(migration: MigrationFile, record: (db: Kysely<Database>) => Promise<void>): Promise<void>;
  /** Creates the migration version table when missing. */
  ensureVersionTable(): Promise<void>;
  /** Serialises concurrent `db migrate` runs (several replicas starting at once). */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;

  close(): Promise<void>;
}

export interface ColumnInfo {
  /** Normalised type: `varchar(100)`, `timestamp`, `number` … (dialect's own spelling). */
  type: string;
}

export interface MigrationFile {
  version: number;
  name: string;
  /** File text with the configured table prefix already applied. */
  text: string;
}
