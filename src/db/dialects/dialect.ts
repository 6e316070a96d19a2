import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { ClaimedRow } from '../../queue/request.js';
import type { PackageArg, PackageEntryPoint } from '../packageEntryPoints.js';
import type { ClosedRun, JobLogRow, OpenedRun, RequestOwner, RunClose, RunCompletion, RunRow } from '../runRow.js';
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
  /** The database's local clock plus `ms` (negative: the past), compared with log and completion times. */
  localNowPlus(ms: number): RawBuilder<Date>;
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
  /**
   * Writes a run's IP row with the next DWPRCLOGSEQ value and records that PRCID on its request,
   * as one committed unit, only while `owner` still holds the claim, on the run session (a
   * DWLOGIC block finds its row by this session's id), and tags the session for DBAs with dwprc,
   * the MAPREF and the PRCID. Returns the PRCID with the database clock of the write, or null
   * when the claim is gone: then nothing was written.
   */
  openRunRow(session: RunSession, row: RunRow, owner: RequestOwner): Promise<OpenedRun | null>;
  /**
   * Ends a run row (`close`, its guarded UPDATE) and, when given, writes its DWJOBLOG row, as one
   * committed unit; the DWJOBLOG row only if the close changed the run. On the run session (its
   * tag goes with the close), or on a Kysely when that connection failed. Returns whether it did
   * (false: the row was no longer this run's to close) and the run's DWJOBLOG totals after it.
   * With `completion` (a PC close), a dialect may complete the request in the same unit and
   * say so; one that does not leaves the completion to the worker.
   */
  closeRunRow(on: RunSession | Kysely<Database>, close: RunClose, jobLog: JobLogRow | null, completion?: RunCompletion | null): Promise<ClosedRun>;
  /**
   * Queues requests (STATUS NEW, REQUESTED_AT by the database clock) in the caller's transaction:
   * one statement on PostgreSQL; one per row on Oracle, whose multi-row VALUES needs 23ai.
   */
  insertRequests(db: Kysely<Database>, rows: readonly NewRequest[]): Promise<void>;
  /**
   * Sets NXT_RUN_DT, and LST_RUN_DT and LST_SKIP_DT/CNT where given (null keeps them), of many
   * schedules in the caller's transaction: one statement on PostgreSQL, one per row on Oracle.
   */
  advanceSchedules(db: Kysely<Database>, rows: readonly ScheduleAdvance[]): Promise<void>;
  /** A dedicated connection for one run: the DWLOGIC contract needs the IP row and the block on one session. */
  openRunSession(): Promise<RunSession>;

  /**
   * Fencing for the reaper: ends the database session that may still be executing run
   * `prcid` for a worker that is gone (a SIGKILLed worker's session carries on with the
   * statement it was sent; a stalled one may still be running its flow). Only a session tagged
   * with this run (by openRunRow) is touched. Called by the reaper before the request can be
   * claimed again, so a new run never starts while the old one still executes.
   */
  endRunSession(run: RunTag & { sessionId: number }, timeoutMs: number): Promise<RunSessionEnd>;

  /**
   * How a Python flow's child process opens its own metadata connection to this database (as
   * the pool's user, schema included). Holds the password: it goes to the child on its stdin only.
   */
  pythonConnection(): PythonConnection;
  /** What a Python child sets on that session once its run row is written, so endRunSession finds it. */
  pythonRunTag(run: RunTag): PythonRunTag;

  /** Server version string, for `doctor`. */
  serverVersion(): Promise<string>;
  /** The cheapest round trip that proves the database answers (readiness). */
  ping(): Promise<void>;
  /** The zone the database session uses; the default business zone. */
  sessionTimeZone(): Promise<string>;
  /** Column names (lower case) of each existing table among `tables` (default names). */
  describeTables(tables: readonly string[]): Promise<Map<string, Map<string, ColumnInfo>>>;
  /** Whether an index of that name exists in the DW schema (names as in sql/, any case). */
  indexExists(name: string): Promise<boolean>;
  /**
   * The original package's DBMS_SCHEDULER jobs, chains and programs (JOB_<MAPREF>,
   * JOB_CHAIN_<MAPREF>, CHAIN_<MAPREF>, PROGRAM_<MAPREF>) still ENABLED in the DW schema, for
   * `doctor`. PostgreSQL has no such scheduler: always [].
   */
  legacySchedulerObjects(): Promise<LegacySchedulerObject[]>;

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
   * most one such row per MAPREF per claim. Never claims a foreign request (foreignRequest).
   */
  claimRequests(workerId: string, limit: number, leaseMs: number): Promise<ClaimedRow[]>;
  /**
   * TRUE for a DWPRCREQ row (of `alias`) that belongs to another service by the configured
   * rules (queue/foreignRequests.ts), compared as the claim compares it; never NULL.
   */
  foreignRequest(alias: string): RawBuilder<SqlBool>;
  /** What to do about an error: back off and retry, retry the transaction now, or give up. */
  classifyError(error: unknown): ErrorClass;
  /** Wake-ups from other sessions; polling stays the fallback, so this may deliver nothing. */
  listen(onWake: (channel: WakeChannel) => void): Promise<Listener>;
  /** Wakes listeners (delivered at commit); run inside the transaction that made the change. */
  notify(db: Kysely<Database>, channel: WakeChannel): Promise<void>;

  /**
   * Runs one query written for this database (report SQL) with bound parameters and yields its
   * rows in batches of at most `batchSize`, fetched from a server-side cursor on one pinned
   * connection, so a result of any size never sits in memory. The first batch is always
   * yielded (it may be empty) so the column names of an empty result are known. Column names
   * are the database's own (no camel-casing), in select-list order; rows are arrays.
   * Aborting `signal` cancels the statement in flight; stopping the iteration early closes
   * the cursor and releases the connection.
   */
  streamQuery(sqlText: string, params: BindParams, options: StreamQueryOptions): AsyncIterable<RowBatch>;

  /**
   * Calls an entry point of the compatibility package (PKGDWPRC / schema pkgdwprc) inside the
   * transaction `trx` (required: the package does not commit, and on Oracle a write outside a
   * transaction is rolled back when its connection returns to the pool). Returns the function's
   * value, or undefined for a procedure. Refusals surface as the package raises them
   * (ORA-20099 / P0099; see packageErrorMessage).
   */
  callPackage(trx: Kysely<Database>, entry: PackageEntryPoint, args: readonly PackageArg[]): Promise<unknown>;

  close(): Promise<void>;
}

/** A DB-API connection a Python child opens: psycopg2 for PostgreSQL, python-oracledb for Oracle. */
export type PythonConnection =
  | { driver: 'psycopg2'; dsn: string; schema: string | null }
  | { driver: 'oracledb'; user: string; password: string; dsn: string; schema: string | null };

/** The session tag of Dialect.openRunRow, as a Python driver sets it. */
export type PythonRunTag = { applicationName: string } | { module: string; action: string; clientIdentifier: string };

/** A request to queue (see Dialect.insertRequests). */
export interface NewRequest {
  requestId: string;
  mapref: string;
  requestType: string;
  /** JSON object text. */
  payload: string;
}

/** A schedule's next fire time after a tick (see Dialect.advanceSchedules); UTC wall times. */
export interface ScheduleAdvance {
  jobschid: number;
  nxtRunDt: Date | null;
  /** The occurrence just fired; null keeps LST_RUN_DT. */
  lstRunDt: Date | null;
  /** Occurrences the misfire policy dropped: the last one and how many (LST_SKIP_DT/CNT); null keeps them. */
  skipped: { last: Date; count: number } | null;
}

/** `transient`: the database is unreachable or restarting; `conflict`: retry the transaction. */
export type ErrorClass = 'transient' | 'conflict' | 'fatal';

/** `request`: a row was queued; `stop`: a run was marked for stopping; `reconnected`: poll now. */
export type WakeChannel = 'request' | 'stop' | 'reconnected';

export interface Listener {
  close(): Promise<void>;
}

export interface LegacySchedulerObject {
  type: 'JOB' | 'CHAIN' | 'PROGRAM';
  owner: string;
  name: string;
}

export interface ColumnInfo {
  /** Normalised type: `varchar(100)`, `timestamp`, `number` … (dialect's own spelling). */
  type: string;
  /** Whether the column accepts NULL. */
  nullable: boolean;
}

export interface MigrationFile {
  version: number;
  name: string;
  /** File text with the configured table prefix already applied. */
  text: string;
}

/**
 * Positional (PostgreSQL `$1`, Oracle `:1`…) or by name (Oracle `:name`; on PostgreSQL `:name`
 * is translated to positional binds). Names match case-insensitively, as Oracle's do.
 */
export type BindParams = readonly unknown[] | Readonly<Record<string, unknown>>;

export interface StreamQueryOptions {
  /** Rows per fetch round trip and per yielded batch. */
  batchSize: number;
  /** Aborting cancels the running statement. */
  signal?: AbortSignal;
  /** Shown to a DBA (PostgreSQL application_name, Oracle ACTION) while the query runs. */
  label?: string;
}

/**
 * How a writer should treat a column's values. Every dialect delivers the same shapes:
 * - `number`: a JS number, or decimal text where a double could not hold the value exactly
 *   (PostgreSQL bigint/numeric, Oracle NUMBER);
 * - `boolean`: true/false;
 * - `date`: `YYYY-MM-DD`;
 * - `timestamp`: wall-clock ISO 8601 without a zone, `YYYY-MM-DDTHH:MM:SS[.fff…]`;
 * - `timestamptz`: ISO 8601 with an offset or `Z`;
 * - `text`: everything else, as the database prints it.
 * Values the ISO forms cannot express (`infinity`, BC dates) stay the database's own text. NULL is null.
 */
export type ColumnKind = 'text' | 'number' | 'boolean' | 'date' | 'timestamp' | 'timestamptz';

export interface ResultColumn {
  name: string;
  kind: ColumnKind;
}

export interface RowBatch {
  /** The same array for every batch of one query. */
  columns: readonly ResultColumn[];
  rows: unknown[][];
}

/**
 * `ended`: a session was still executing the run and has been ended; `none`: no session of the
 * run was left; `alive`: it outlived the timeout; `unknown`: the database would not let us look
 * or act (missing grants, PostgreSQL before 14).
 */
export type RunSessionEnd = 'ended' | 'none' | 'alive' | 'unknown';

/** What a DBA sees on the session of a run (V$SESSION MODULE/ACTION/CLIENT_IDENTIFIER, pg_stat_activity), set by openRunRow. */
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
  /**
   * Whether an IP row of another run may carry this session id: a row left by a dead session
   * whose id the server has reused. True until this process has closed a run on this very
   * connection: its first run closed any such row (openRun), and a connection whose run could
   * not be closed is discarded, so afterwards the look-up can be skipped.
   */
  readonly mayHoldStaleRuns: boolean;
  /** Records that a run on this connection was closed on it (see mayHoldStaleRuns). */
  markRunClosed(): void;
  /**
   * Commits what the flow left uncommitted on this connection, as its success. PostgreSQL runs
   * in autocommit mode, so there is only something to commit when the flow left a transaction
   * open; Oracle always commits.
   */
  commit(): Promise<void>;
  /** Runs a DWLOGIC block verbatim as one statement, without binds. */
  runBlock(text: string): Promise<void>;
  /** Interrupts the statement running now, if any; a no-op between statements. */
  cancel(): Promise<void>;
  /** Returns the connection, untagged; `discard` drops it instead (state unknown after an error). */
  release(options?: { discard?: boolean }): Promise<void>;
}
