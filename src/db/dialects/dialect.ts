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

  /** Evaluates one expression (a sequence value, the clock) on `db` (default: the pool). */
  selectValue<T>(expression: RawBuilder<T>, db?: Kysely<Database>): Promise<T>;
  /**
   * A validated identifier (see `IDENTIFIER` in config.ts) quoted for SQL text, in the case an
   * unquoted name takes on this database: `"SALES"` on Oracle, `"sales"` on PostgreSQL.
   */
  quoteIdentifier(name: string): string;
  /** A dedicated connection for one run: the DWLOGIC contract needs the IP row and the block on one session. */
  openRunSession(): Promise<RunSession>;

  /** Server version string, for `doctor`. */
  serverVersion(): Promise<string>;
  /** The zone the database session uses; the default business zone. */
  sessionTimeZone(): Promise<string>;
  /** Column names (lower case) of each existing table among `tables` (default names). */
  describeTables(tables: readonly string[]): Promise<Map<string, Map<string, ColumnInfo>>>;

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

/** What a DBA sees on the session of a run (V$SESSION MODULE/ACTION/CLIENT_IDENTIFIER, pg_stat_activity). */
export interface RunTag {
  mapref: string;
  prcid: number;
}

/**
 * One pinned connection that writes a run's DWPRCLOG row and runs its flow. Not shared: queries
 * on `db` go to this connection only, in autocommit mode on PostgreSQL (so a DO block's own
 * COMMITs work); on Oracle work is committed explicitly, as always.
 */
export interface RunSession {
  /** Kysely bound to this one connection. */
  readonly db: Kysely<Database>;
  /** The id DWPRCLOG.SESSIONID records for this connection. */
  readonly sessionId: number;
  tag(tag: RunTag): Promise<void>;
  /** Runs a DWLOGIC block verbatim as one statement, without binds. */
  runBlock(text: string): Promise<void>;
  /** Interrupts the statement running now, if any; a no-op between statements. */
  cancel(): Promise<void>;
  /** Returns the connection, untagged; `discard` drops it instead (state unknown after an error). */
  release(options?: { discard?: boolean }): Promise<void>;
}
