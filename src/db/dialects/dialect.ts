import type { Kysely, RawBuilder } from 'kysely';
import type { ClaimedRow } from '../../queue/request.js';
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
  /** The database clock (UTC) plus `ms` milliseconds: leases, retry times. */
  utcNowPlus(ms: number): RawBuilder<Date>;
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

  /** Applies one migration file and records it, atomically where the database allows. */
  applyMigration(migration: MigrationFile, record: (db: Kysely<Database>) => Promise<void>): Promise<void>;
  /** Creates the migration version table when missing. */
  ensureVersionTable(): Promise<void>;
  /** Serialises concurrent `db migrate` runs (several replicas starting at once). */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;

  /**
   * Claims up to `limit` due NEW requests for `workerId` in one short transaction: STATUS
   * CLAIMED, CLAIMED_BY/AT, LEASE_EXPIRES_AT = now + leaseMs, ATTEMPTS + 1. Skips rows other
   * workers hold (SKIP LOCKED) and IMMEDIATE/HISTORY rows whose MAPREF is already running; at
   * most one such row per MAPREF per claim.
   */
  claimRequests(workerId: string, limit: number, leaseMs: number): Promise<ClaimedRow[]>;
  /** What to do about an error: back off and retry, retry the transaction now, or give up. */
  classifyError(error: unknown): ErrorClass;
  /** Wake-ups from other sessions; polling stays the fallback, so this may deliver nothing. */
  listen(onWake: (channel: WakeChannel) => void): Promise<Listener>;
  /** Wakes listeners (delivered at commit); run inside the transaction that made the change. */
  notify(db: Kysely<Database>, channel: WakeChannel): Promise<void>;

  close(): Promise<void>;
}

/** `transient`: the database is unreachable or restarting; `conflict`: retry the transaction. */
export type ErrorClass = 'transient' | 'conflict' | 'fatal';

/** `request`: a row was queued; `stop`: a run was marked for stopping; `reconnected`: poll now. */
export type WakeChannel = 'request' | 'stop' | 'reconnected';

export interface Listener {
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
