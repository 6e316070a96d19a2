import { CamelCasePlugin, Kysely, type KyselyPlugin, type RawBuilder, sql } from 'kysely';
import { OracleDialect as KyselyOracle, withExecuteOptions } from 'kysely-oracledb';
import oracledb from 'oracledb';
import { validIdentifier } from '../../config.js';
import { DEFAULT_FOREIGN_RULES, foreignRequestCondition, type ForeignRule } from '../../queue/foreignRequests.js';
import { PADDING, requestTypeKey, unpadded } from '../../queue/padding.js';
import { isExclusiveType, pickClaimable } from '../../queue/pickClaimable.js';
import type { ClaimedRow } from '../../queue/request.js';
import { packageEntryPoint, type PackageArg, type PackageEntryPoint } from '../packageEntryPoints.js';
import {
  closeRunStatement,
  CURRENT_JOB,
  currentJobIdQuery,
  insertJobLogStatement,
  insertRunStatement,
  jobLogTotals,
  jobLogTotalsQuery,
  recordPrcidStatement,
  type ClosedRun,
  type JobLogRow,
  type OpenedRun,
  type RequestOwner,
  type RunClose,
  type RunRow,
} from '../runRow.js';
import type { Database, SequenceName } from '../schema.js';
import { objectName, TablePrefixPlugin } from '../tableNames.js';
import type {
  BindParams,
  ColumnInfo,
  Dialect,
  ErrorClass,
  LegacySchedulerObject,
  Listener,
  MigrationFile,
  NewRequest,
  RunSession,
  RunSessionEnd,
  RunTag,
  ScheduleAdvance,
  StreamQueryOptions,
  WakeChannel,
  PythonConnection,
  PythonRunTag,
} from './dialect.js';
import { ALERT_WAIT_SECONDS, listenOracleAlerts, signalAlert } from './oracleAlerts.js';
import { AutoCommitOracleDialect } from './oracleAutoCommit.js';
import { endOracleRunSession } from './oracleEndRunSession.js';
import { withDriverConnection } from './oracleDriverConnection.js';
import { streamOracleRows } from './oracleRowStream.js';

export interface OracleOptions {
  user: string;
  password: string;
  connectString: string;
  schema: string | null;
  tablePrefix: string;
  poolMax: number;
  /** DWPRC_ORACLE_ALERTS: wake-ups through DBMS_ALERT (needs EXECUTE on it); polling otherwise. */
  alerts?: boolean;
  /** Requests left to other services (DWPRC_FOREIGN_REQUESTS); default: the DMS tool's. */
  foreignRequests?: readonly ForeignRule[];
}

/** Upper-case snake names, then the prefix: `requestId` → "REQUEST_ID", dwprcreq → "DMS_PRCREQ". */
export function oraclePlugins(tablePrefix: string): KyselyPlugin[] {
  const plugins: KyselyPlugin[] = [new CamelCasePlugin({ upperCase: true })];
  if (tablePrefix.toUpperCase() !== 'DW') plugins.push(new TablePrefixPlugin(tablePrefix));
  return plugins;
}

/** A Kysely instance that compiles Oracle SQL without a pool: for tests on the compiled text. */
export function oracleCompiler(tablePrefix = 'DW'): Kysely<Database> {
  return new Kysely<Database>({
    dialect: new KyselyOracle({ pool: undefined as unknown as oracledb.Pool }),
    plugins: oraclePlugins(tablePrefix),
  });
}

/** REQUEST_TYPE and MAPREF unpadded in SQL exactly as the parser unpads them (queue/padding.ts). */
export function oracleRequestType(alias: string) {
  return sql<string>`UPPER(RTRIM(LTRIM(${sql.ref(`${alias}.requestType`)}, ${PADDING}), ${PADDING}))`;
}

/** Blank after unpadding stays as it was: Oracle's '' is NULL, and MAPREF is NOT NULL. */
export function oracleMapref(alias: string) {
  return sql<string>`NVL(RTRIM(LTRIM(${sql.ref(`${alias}.mapref`)}, ${PADDING}), ${PADDING}), ${sql.ref(`${alias}.mapref`)})`;
}

/** The foreign-request condition (queue/foreignRequests.ts) on Oracle's unpadding. */
export function oracleForeignRequest(rules: readonly ForeignRule[], alias: string) {
  return foreignRequestCondition(rules, { type: oracleRequestType(alias), mapref: oracleMapref(alias), payload: sql.ref(`${alias}.payload`) });
}

/**
 * The claim's locking query. Oracle locks rows as they are fetched, so the driver must fetch
 * exactly `window` rows: maxRows = prefetchRows = fetchArraySize (never ROWNUM or FETCH FIRST,
 * which pick candidates before locked rows are skipped or fail with FOR UPDATE).
 */
export function claimCandidatesQuery(db: Kysely<Database>, window: number, foreignRules: readonly ForeignRule[] = DEFAULT_FOREIGN_RULES) {
  return db
    .selectFrom('dwprcreq as q')
    .select(['q.requestId', 'q.mapref', 'q.requestType', 'q.payload', 'q.attempts', 'q.prcid', 'q.stopRequested'])
    .where('q.status', '=', 'NEW')
    .where((eb) => eb.or([eb('q.runAfter', 'is', null), eb('q.runAfter', '<=', sql<Date>`SYS_EXTRACT_UTC(SYSTIMESTAMP)`)]))
    .where((eb) =>
      eb.not(
        eb.and([
          eb(oracleRequestType('q'), 'in', ['IMMEDIATE', 'HISTORY']),
          eb.exists(
            eb
              .selectFrom('dwprcreq as c')
              .select(sql`1`.as('one'))
              .where('c.mapref', '=', oracleMapref('q'))
              .where('c.status', '=', 'CLAIMED')
              .where(oracleRequestType('c'), 'in', ['IMMEDIATE', 'HISTORY']),
          ),
        ]),
      ),
    )
    // Last, so that bind numbers before it stay; a row left to another service is never fetched, so never locked.
    .where((eb) => eb.not(oracleForeignRequest(foreignRules, 'q')))
    // REQUESTED_AT alone: the (STATUS, REQUESTED_AT) index gives that order without sorting
    // every queued row first; ties (a bulk insert) go in index order.
    .orderBy('q.requestedAt')
    .forUpdate()
    .skipLocked()
    .withPlugin(withExecuteOptions({ maxRows: window, prefetchRows: window, fetchArraySize: window, autoCommit: false }));
}

/**
 * What opening a run needs before its INSERT, in one round trip (exported to pin its SQL): the
 * PRCID, the database clock, and for a TypeScript flow the MAPREF's current JOBID.
 */
export function openingValuesQuery(db: Kysely<Database>, dialect: Dialect, row: RunRow) {
  const jobid = row.jobid === CURRENT_JOB ? currentJobIdQuery(db.withoutPlugins(), row.mapref) : sql`NULL`;
  return sql<{ p: number; t: Date; j: number | null }>`SELECT ${dialect.nextValue('dwprclogseq')} AS "p", ${dialect.utcNow()} AS "t", ${jobid} AS "j" FROM DUAL`;
}

/** One queued request of insertRequests (exported to pin its SQL). */
export function insertRequestRowStatement(db: Kysely<Database>, dialect: Dialect, row: NewRequest) {
  return db.insertInto('dwprcreq').values({ ...row, status: 'NEW', requestedAt: dialect.localNow() });
}

/** One schedule of advanceSchedules (exported to pin its SQL). */
export function advanceScheduleStatement(db: Kysely<Database>, { jobschid, nxtRunDt, lstRunDt, skipped }: ScheduleAdvance) {
  return db
    .updateTable('dwjobsch')
    .set({
      nxtRunDt,
      ...(lstRunDt ? { lstRunDt } : {}),
      ...(skipped ? { lstSkipDt: skipped.last, lstSkipCnt: skipped.count } : {}),
    })
    .where('jobschid', '=', jobschid);
}

/**
 * What the claim sets on each picked row (exported to pin its SQL). An IMMEDIATE/HISTORY row is
 * stored unpadded, so that DWPRCREQ_ONE_RUN, on the stored values, sees every spelling of a
 * MAPREF as the one it is.
 */
export function claimedRunSet(workerId: string, leaseExpiresAt: RawBuilder<Date>, claimedAt: RawBuilder<Date>) {
  const exclusive = sql`${oracleRequestType('dwprcreq')} IN (${sql.join(['IMMEDIATE', 'HISTORY'])})`;
  return {
    status: 'CLAIMED',
    claimedBy: workerId,
    claimedAt,
    leaseExpiresAt,
    attempts: sql<number>`${sql.ref('attempts')} + 1`,
    requestType: sql<string>`CASE WHEN ${exclusive} THEN ${oracleRequestType('dwprcreq')} ELSE ${sql.ref('dwprcreq.requestType')} END`,
    mapref: sql<string>`CASE WHEN ${exclusive} THEN ${oracleMapref('dwprcreq')} ELSE ${sql.ref('dwprcreq.mapref')} END`,
  } as const;
}

/** The claim's update of the picked (locked) rows, in the claim's transaction. */
export function claimUpdateStatement(db: Kysely<Database>, dialect: Dialect, workerId: string, requestIds: readonly string[], leaseMs: number) {
  return db
    .updateTable('dwprcreq')
    .set(claimedRunSet(workerId, dialect.utcNowPlus(leaseMs), dialect.localNow()))
    .where('requestId', 'in', [...requestIds])
    .where('status', '=', 'NEW');
}

/**
 * The database server's own wall clock, what SYSDATE gives and what the web UI (REQUESTED_AT
 * DEFAULT SYSTIMESTAMP) and PKGDWPRC (SYSDATE) write. Not LOCALTIMESTAMP: that is the session's
 * zone, which the Thin driver sets from the client process (UTC for dwprc), not the server's.
 */
export function oracleLocalNow() {
  return sql<Date>`CAST(SYSTIMESTAMP AS TIMESTAMP)`;
}

/** The server's wall clock shifted by a bound number of seconds (exported to pin its text in tests). */
export function oracleLocalNowPlus(ms: number) {
  return sql<Date>`(CAST(SYSTIMESTAMP AS TIMESTAMP) + NUMTODSINTERVAL(${ms / 1000}, 'SECOND'))`;
}

/**
 * The pool: poolMin 0 (with a minimum, an unreachable database makes the Thin pool reconnect in a
 * tight loop; dwprc backs off in its own code), dead peers dropped after a minute (expireTime),
 * and DWPRC_SCHEMA as every new session's CURRENT_SCHEMA. Pure, so that tests can pin it.
 */
export function oraclePoolAttributes(options: OracleOptions): oracledb.PoolAttributes {
  const schema = options.schema === null ? null : validIdentifier('DWPRC_SCHEMA', options.schema);
  return {
    user: options.user,
    password: options.password,
    connectString: options.connectString,
    poolMin: 0,
    poolMax: options.poolMax,
    poolIncrement: 1,
    expireTime: 1,
    ...(schema
      ? {
          sessionCallback: (conn: oracledb.Connection, _tag: string, done: (e?: Error) => void) => {
            conn.execute(`ALTER SESSION SET CURRENT_SCHEMA = ${schema}`).then(() => done(), done);
          },
        }
      : {}),
  };
}

/** Oracle error codes (ORACLE.md): the database is away, or the transaction should be retried. */
const TRANSIENT_ORA = new Set(['ORA-01033', 'ORA-01034', 'ORA-01089', 'ORA-01090', 'ORA-01092', 'ORA-03113', 'ORA-03114', 'ORA-03135']);
const TRANSIENT_NJS = new Set(['NJS-500', 'NJS-501', 'NJS-503', 'NJS-510', 'NJS-521', 'NJS-518']);
const POOL_FULL_ORA = /ORA-125(16|19|20|28)/;
const CONFLICT = new Set(['ORA-00060', 'ORA-08177', 'ORA-00054', 'ORA-30006', 'NJS-123', 'ORA-01013']);

export function classifyOracleError(error: unknown): ErrorClass {
  const e = error as { code?: string; message?: string; isRecoverable?: boolean } | null;
  const code = e?.code ?? '';
  const message = e?.message ?? '';
  if (code === 'ORA-00001' && /PRCREQ_ONE_RUN/i.test(message)) return 'conflict';
  if (CONFLICT.has(code)) return 'conflict';
  if (TRANSIENT_ORA.has(code) || TRANSIENT_NJS.has(code) || e?.isRecoverable === true) return 'transient';
  if (code === 'NJS-511' && POOL_FULL_ORA.test(message)) return 'transient';
  return 'fatal';
}

/** Splits a SQL*Plus-style script: every statement or PL/SQL block ends with a line holding only `/`. */
export function splitOracleScript(text: string): string[] {
  return text
    .split(/^\s*\/\s*$/m)
    .map((part) => part.replace(/^(\s*--.*\n|\s*\n)*/g, '').trim())
    .filter((part) => part.length > 0)
    .map((part) => (/^(begin|declare|create\s+(or\s+replace\s+)?(package|procedure|function|trigger|type))\b/i.test(part) ? part : part.replace(/;\s*$/, '')));
}

/** Indexes of the schema dwprc works in (DWPRC_SCHEMA), not only the login user's. */
export function oracleIndexExistsQuery(name: string) {
  return sql<{ n: number }>`SELECT COUNT(*) AS "n" FROM ALL_INDEXES WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') AND INDEX_NAME = ${name.toUpperCase()}`;
}

/**
 * The original package's scheduler objects still ENABLED, named after the MAPREFs of DWJOBSCH
 * (any version of the row), in the schema dwprc works in: ALL_* views with OWNER =
 * CURRENT_SCHEMA rather than USER_*, so DWPRC_SCHEMA (logging on as another user) sees the DW
 * owner's objects as far as that user may.
 */
export function oracleLegacySchedulerQuery(tablePrefix: string) {
  const jobsch = sql.raw(objectName('DWJOBSCH', tablePrefix));
  const owner = sql.raw(`OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')`);
  return sql<{ kind: string; owner: string; name: string }>`SELECT 'JOB' AS "kind", OWNER AS "owner", JOB_NAME AS "name"
  FROM ALL_SCHEDULER_JOBS
 WHERE ${owner} AND ENABLED = 'TRUE'
   AND JOB_NAME IN (SELECT 'JOB_' || UPPER(MAPREF) FROM ${jobsch} UNION SELECT 'JOB_CHAIN_' || UPPER(MAPREF) FROM ${jobsch})
UNION ALL
SELECT 'CHAIN', OWNER, CHAIN_NAME
  FROM ALL_SCHEDULER_CHAINS
 WHERE ${owner} AND ENABLED = 'TRUE'
   AND CHAIN_NAME IN (SELECT 'CHAIN_' || UPPER(MAPREF) FROM ${jobsch})
UNION ALL
SELECT 'PROGRAM', OWNER, PROGRAM_NAME
  FROM ALL_SCHEDULER_PROGRAMS
 WHERE ${owner} AND ENABLED = 'TRUE'
   AND PROGRAM_NAME IN (SELECT 'PROGRAM_' || UPPER(MAPREF) FROM ${jobsch})
 ORDER BY 1, 3`;
}

/** The server's banner (doctor). Not pinned to a column name: 12c has BANNER, 18c+ BANNER_FULL. */
export function oracleServerVersionQuery(column: 'BANNER' | 'BANNER_FULL') {
  return sql<{ banner: string }>`SELECT ${sql.raw(column)} AS "banner" FROM V$VERSION WHERE ROWNUM = 1`;
}

export const ORACLE_PING = sql`SELECT 1 FROM DUAL`;

/** The database server's zone offset, the zone of SYSTIMESTAMP and of the log clock. */
export const ORACLE_SERVER_ZONE = sql<{ tz: string }>`SELECT TO_CHAR(SYSTIMESTAMP, 'TZR') AS "tz" FROM DUAL`;

/**
 * Columns of the DW tables in the schema dwprc works in (DWPRC_SCHEMA), not only the login user's:
 * USER_TAB_COLUMNS would report every table missing when the DW belongs to another schema.
 */
export function oracleDescribeTablesQuery(names: readonly string[]) {
  return sql<{ t: string; c: string; type: string; len: number | null; nullable: string }>`
      SELECT TABLE_NAME AS "t", COLUMN_NAME AS "c", DATA_TYPE AS "type", CHAR_LENGTH AS "len", NULLABLE AS "nullable"
        FROM ALL_TAB_COLUMNS
       WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')
         AND TABLE_NAME IN (${sql.join([...names])})`;
}

/** DWPRCVER, created unless it exists (ORA-00955: also when a concurrent run created it first). */
export function oracleVersionTableBlock(table: string) {
  return sql`BEGIN
  EXECUTE IMMEDIATE 'CREATE TABLE ${sql.raw(table)} (VERSION NUMBER(6) PRIMARY KEY, NAME VARCHAR2(200) NOT NULL, APPLIED_AT TIMESTAMP DEFAULT SYSTIMESTAMP NOT NULL)';
EXCEPTION WHEN OTHERS THEN IF SQLCODE != -955 THEN RAISE; END IF;
END;`;
}

/** One value from DUAL (Oracle before 23ai has no SELECT without FROM). */
export function oracleValueQuery<T>(expression: RawBuilder<T>): RawBuilder<{ v: T }> {
  return sql<{ v: T }>`SELECT ${expression} AS "v" FROM DUAL`;
}

async function selectOracleValue<T>(expression: RawBuilder<T>, db: Kysely<Database>): Promise<T> {
  const { rows } = await oracleValueQuery(expression).execute(db);
  return rows[0]!.v;
}

export interface OraclePackageCall {
  sql: string;
  binds: Record<string, PackageArg | oracledb.BindParameter>;
}

/**
 * `BEGIN :r := PKGDWPRC.<ENTRY>(:a1, …); END;` (a function) or `BEGIN PKGDWPRC.<ENTRY>(:a1, …); END;`
 * (a procedure), bound by name: the name comes from the allow-list, every value is a bind.
 */
export function oraclePackageCall(entry: PackageEntryPoint, args: readonly PackageArg[]): OraclePackageCall {
  const definition = packageEntryPoint(entry, args);
  const binds: OraclePackageCall['binds'] = {};
  args.forEach((value, i) => (binds[`a${i + 1}`] = value));
  const call = `PKGDWPRC.${entry.toUpperCase()}(${args.map((_, i) => `:a${i + 1}`).join(', ')})`;
  if (definition.returns === 'number') {
    binds.r = { dir: oracledb.BIND_OUT, type: oracledb.NUMBER };
    return { sql: `BEGIN :r := ${call}; END;`, binds };
  }
  return { sql: `BEGIN ${call}; END;`, binds };
}

/** The request was reaped or finished elsewhere before its run could open: roll back. */
class ClaimLost extends Error {}

function ownSession(session: RunSession): OracleRunSession {
  if (!(session instanceof OracleRunSession)) throw new TypeError('an Oracle run needs an Oracle run session');
  return session;
}

/** Dialect.callPackage on Oracle: the call runs on the transaction's own connection and commits with it. */
export async function callOraclePackage(trx: Kysely<Database>, entry: PackageEntryPoint, args: readonly PackageArg[]): Promise<unknown> {
  const call = oraclePackageCall(entry, args);
  if (!trx.isTransaction) throw new Error(`PKGDWPRC.${entry.toUpperCase()} must be called inside a transaction`);
  const result = await withDriverConnection(trx, (connection) => connection.execute(call.sql, call.binds, { autoCommit: false }));
  return (result.outBinds as { r?: unknown } | undefined)?.r;
}

export class OracleDialect implements Dialect {
  readonly name = 'oracle' as const;

  private constructor(
    readonly db: Kysely<Database>,
    readonly pool: oracledb.Pool,
    readonly options: OracleOptions,
  ) {}

  static async create(options: OracleOptions): Promise<OracleDialect> {
    // Thin mode (no Instant Client). CLOBs as strings: payloads and DWLOGIC are text to us.
    oracledb.fetchAsString = [oracledb.CLOB];
    return OracleDialect.overPool(await oracledb.createPool(oraclePoolAttributes(options)), options);
  }

  /** The dialect over a given pool (tests pass a recording fake of the driver's pool). */
  static overPool(pool: oracledb.Pool, options: OracleOptions): OracleDialect {
    // Statements outside a transaction commit themselves, as on PostgreSQL (oracleAutoCommit.ts).
    const db = new Kysely<Database>({ dialect: new AutoCommitOracleDialect({ pool }), plugins: oraclePlugins(options.tablePrefix) });
    return new OracleDialect(db, pool, options);
  }

  private name_(object: string): string {
    return objectName(object.toUpperCase(), this.options.tablePrefix);
  }

  utcNow() {
    return sql<Date>`SYS_EXTRACT_UTC(SYSTIMESTAMP)`;
  }

  utcNowPlus(ms: number) {
    return sql<Date>`(SYS_EXTRACT_UTC(SYSTIMESTAMP) + NUMTODSINTERVAL(${ms / 1000}, 'SECOND'))`;
  }

  localNow() {
    return oracleLocalNow();
  }

  localNowPlus(ms: number) {
    return oracleLocalNowPlus(ms);
  }

  nextValue(sequence: SequenceName) {
    return sql<number>`${sql.raw(this.name_(sequence))}.NEXTVAL`;
  }

  sessionId() {
    return sql<number>`TO_NUMBER(SYS_CONTEXT('USERENV', 'SESSIONID'))`;
  }

  selectValue<T>(expression: RawBuilder<T>, db: Kysely<Database> = this.db): Promise<T> {
    return selectOracleValue(expression, db);
  }

  quoteIdentifier(name: string): string {
    return `"${validIdentifier('identifier', name).toUpperCase()}"`;
  }

  async openRunRow(session: RunSession, row: RunRow, owner: RequestOwner): Promise<OpenedRun | null> {
    // No data-modifying CTE on Oracle: the sequence value, the row and the guarded update in
    // one transaction, rolled back when the claim is gone. The tag is client-side and rides on
    // the INSERT, so the session carries it before the IP row can be seen: a reaper that finds
    // the row finds the session by its CLIENT_IDENTIFIER (endRunSession).
    const own = ownSession(session);
    let opened: OpenedRun;
    try {
      opened = await own.db.transaction().execute(async (trx) => {
        const { rows } = await openingValuesQuery(trx, this, row).execute(trx);
        const { p, t, j } = rows[0]!;
        const prcid = Number(p);
        const jobid = row.jobid === CURRENT_JOB ? (j === null ? null : Number(j)) : row.jobid;
        own.tag({ mapref: row.mapref, prcid });
        await insertRunStatement(trx, this, prcid, { ...row, jobid }).execute();
        const claimed = await recordPrcidStatement(trx, owner, prcid).executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) throw new ClaimLost();
        return { prcid, jobid, openedAt: t };
      });
    } catch (error) {
      if (error instanceof ClaimLost) {
        own.untag();
        return null;
      }
      throw error;
    }
    return opened;
  }

  closeRunRow(on: RunSession | Kysely<Database>, close: RunClose, jobLog: JobLogRow | null): Promise<ClosedRun> {
    const db = on instanceof Kysely ? on : ownSession(on).db;
    return db.transaction().execute(async (trx) => {
      const updated = await closeRunStatement(trx, this, close).executeTakeFirst();
      const closed = Number(updated.numUpdatedRows) === 1;
      if (closed && jobLog) await insertJobLogStatement(trx, this, jobLog).execute();
      // No one Oracle statement writes two tables: the worker completes the request after the close.
      return { closed, completed: false, counts: jobLogTotals(await jobLogTotalsQuery(trx, [close.prcid]).executeTakeFirstOrThrow()) };
    });
  }

  async insertRequests(db: Kysely<Database>, rows: readonly NewRequest[]): Promise<void> {
    for (const row of rows) await insertRequestRowStatement(db, this, row).execute();
  }

  async advanceSchedules(db: Kysely<Database>, rows: readonly ScheduleAdvance[]): Promise<void> {
    for (const row of rows) await advanceScheduleStatement(db, row).execute();
  }

  async openRunSession(): Promise<RunSession> {
    const connection = await this.pool.getConnection();
    try {
      return await OracleRunSession.open(connection, this.options.tablePrefix, this.sessionId());
    } catch (error) {
      await connection.close({ drop: true }).catch(() => undefined);
      throw error;
    }
  }

  /** KILL SESSION IMMEDIATE does not wait, so there is no timeout to honour. */
  endRunSession(run: RunTag & { sessionId: number }, _timeoutMs: number): Promise<RunSessionEnd> {
    return endOracleRunSession(() => this.pool.getConnection(), run);
  }

  pythonConnection(): PythonConnection {
    const { user, password, connectString, schema } = this.options;
    return { driver: 'oracledb', user, password, dsn: connectString, schema: schema === null ? null : validIdentifier('DWPRC_SCHEMA', schema) };
  }

  pythonRunTag(run: RunTag): PythonRunTag {
    return oracleRunTag(run);
  }

  async serverVersion(): Promise<string> {
    // BANNER_FULL exists from 18c; 12c has BANNER only.
    const { rows } = await oracleServerVersionQuery('BANNER_FULL')
      .execute(this.db)
      .catch(() => oracleServerVersionQuery('BANNER').execute(this.db));
    return rows[0]?.banner ?? 'Oracle';
  }

  async ping(): Promise<void> {
    await ORACLE_PING.execute(this.db);
  }

  async sessionTimeZone(): Promise<string> {
    const { rows } = await ORACLE_SERVER_ZONE.execute(this.db);
    return rows[0]?.tz ?? 'UTC';
  }

  async describeTables(tables: readonly string[]) {
    const names = tables.map((t) => this.name_(t));
    const { rows } = await oracleDescribeTablesQuery(names).execute(this.db);
    const result = new Map<string, Map<string, ColumnInfo>>();
    for (const row of rows) {
      const table = tables[names.indexOf(row.t)]!;
      if (!result.has(table)) result.set(table, new Map());
      result.get(table)!.set(row.c.toLowerCase(), { type: row.len ? `${row.type.toLowerCase()}(${row.len})` : row.type.toLowerCase(), nullable: row.nullable === 'Y' });
    }
    return result;
  }

  async indexExists(name: string) {
    const { rows } = await oracleIndexExistsQuery(name).execute(this.db);
    return Number(rows[0]?.n ?? 0) > 0;
  }

  async legacySchedulerObjects() {
    const { rows } = await oracleLegacySchedulerQuery(this.options.tablePrefix).execute(this.db);
    return rows.map((r) => ({ type: r.kind.trim() as LegacySchedulerObject['type'], owner: r.owner, name: r.name }));
  }

  async ensureVersionTable() {
    await oracleVersionTableBlock(this.name_('dwprcver')).execute(this.db);
  }

  async withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
    // Oracle DDL commits implicitly, so no transaction can hold a lock across a migration;
    // every Oracle script is written to be idempotent instead, so two concurrent runs converge.
    return fn();
  }

  async applyMigration(migration: MigrationFile, record: (db: Kysely<Database>) => Promise<void>) {
    for (const statement of splitOracleScript(migration.text)) {
      await sql.raw(statement).execute(this.db);
    }
    try {
      await this.db.transaction().execute(record);
    } catch (error) {
      // A replica migrating at the same moment recorded this (idempotent) file first: DWPRCVER's
      // primary key is the only unique key the insert can hit.
      if ((error as { code?: string }).code !== 'ORA-00001') throw error;
    }
  }

  foreignRequest(alias: string) {
    return oracleForeignRequest(this.options.foreignRequests ?? DEFAULT_FOREIGN_RULES, alias);
  }

  async claimRequests(workerId: string, limit: number, leaseMs: number): Promise<ClaimedRow[]> {
    const window = Math.max(limit * 4, 16);
    return this.db.transaction().execute(async (trx) => {
      const candidates = await claimCandidatesQuery(trx, window, this.options.foreignRequests).execute();
      const picked = pickClaimable(candidates, limit);
      if (picked.length === 0) return [];
      await claimUpdateStatement(trx, this, workerId, picked.map((r) => r.requestId), leaseMs).execute();
      return picked.map((r) => ({
        ...r,
        ...(isExclusiveType(r.requestType) ? { requestType: requestTypeKey(r.requestType), mapref: unpadded(r.mapref) || r.mapref } : {}),
        attempts: Number(r.attempts) + 1,
        stopRequested: r.stopRequested ?? 'N',
      }));
    });
  }

  classifyError(error: unknown): ErrorClass {
    return classifyOracleError(error);
  }

  /** DBMS_ALERT on a dedicated session when DWPRC_ORACLE_ALERTS is on (it needs a grant most DW schemas lack); else polling only. */
  async listen(onWake: (channel: WakeChannel) => void): Promise<Listener> {
    if (!this.options.alerts) return { close: async () => undefined };
    const { user, password, connectString } = this.options;
    const connect = async () => {
      const connection = await oracledb.getConnection({ user, password, connectString, expireTime: 1 });
      // A peer that vanished without a reset would leave WAITANY hanging: no round trip may outlast the wait by much.
      connection.callTimeout = (ALERT_WAIT_SECONDS + 30) * 1000;
      return connection;
    };
    return listenOracleAlerts({ connect, classifyError: classifyOracleError }, onWake);
  }

  async notify(db: Kysely<Database>, channel: WakeChannel) {
    if (this.options.alerts && channel !== 'reconnected') await signalAlert(channel).execute(db);
  }

  streamQuery(sqlText: string, params: BindParams, options: StreamQueryOptions) {
    return streamOracleRows(() => this.pool.getConnection(), sqlText, params, options);
  }

  callPackage(trx: Kysely<Database>, entry: PackageEntryPoint, args: readonly PackageArg[]) {
    return callOraclePackage(trx, entry, args);
  }

  async close() {
    await this.db.destroy();
  }
}

/** The driver calls a run session makes on its connection (a recording fake in tests). */
export type OracleRunConnection = Pick<oracledb.Connection, 'execute' | 'commit' | 'rollback' | 'break' | 'close'> & {
  module?: string;
  action?: string;
  clientId?: string;
};

/** A Kysely whose "pool" always hands out `connection` and never closes it: one session for a whole run. */
function pinnedOracleKysely(connection: OracleRunConnection, tablePrefix: string): Kysely<Database> {
  const pinned = {
    execute: connection.execute.bind(connection),
    commit: () => connection.commit(),
    rollback: () => connection.rollback(),
    close: async () => undefined,
  };
  const pool = { getConnection: async () => pinned, close: async () => undefined } as unknown as oracledb.Pool;
  return new Kysely<Database>({ dialect: new KyselyOracle({ pool }), plugins: oraclePlugins(tablePrefix) });
}

/** Oracle's limits on end-to-end tracing attributes, in bytes (MODULE 48 holds 'dwprc'). */
const ACTION_MAX = 32;
const CLIENT_ID_MAX = 64;

/** What V$SESSION shows of a run, and what endRunSession looks for. */
export function oracleRunTag({ mapref, prcid }: RunTag): { module: string; action: string; clientIdentifier: string } {
  return { module: 'dwprc', action: clipBytes(mapref, ACTION_MAX), clientIdentifier: clipBytes(String(prcid), CLIENT_ID_MAX) };
}

function clipBytes(text: string, max: number): string {
  let out = text;
  while (Buffer.byteLength(out, 'utf8') > max) out = Array.from(out).slice(0, -1).join('');
  return out;
}

/**
 * A run on one pooled Oracle connection. Tags ride on the next round trip (the block itself), so
 * V$SESSION shows MODULE 'dwprc', ACTION the MAPREF and CLIENT_IDENTIFIER the PRCID while it runs.
 */
export class OracleRunSession implements RunSession {
  #released = false;

  private constructor(
    readonly db: Kysely<Database>,
    readonly sessionId: number,
    private readonly connection: OracleRunConnection,
  ) {}

  /** The pool hands out a new connection object each time, so nothing is remembered across runs: always looked up. */
  readonly mayHoldStaleRuns = true;

  markRunClosed(): void {}

  static async open(connection: OracleRunConnection, tablePrefix: string, sessionId: RawBuilder<number>): Promise<OracleRunSession> {
    const db = pinnedOracleKysely(connection, tablePrefix);
    return new OracleRunSession(db, Number(await selectOracleValue(sessionId, db)), connection);
  }

  /** MODULE/ACTION/CLIENT_IDENTIFIER: set on the connection object, sent with the next call. */
  tag(run: RunTag): void {
    const tag = oracleRunTag(run);
    this.connection.module = tag.module;
    this.connection.action = tag.action;
    this.connection.clientId = tag.clientIdentifier;
  }

  async commit() {
    await this.connection.commit();
  }

  async runBlock(text: string) {
    await this.connection.execute(text);
  }

  async cancel() {
    // An in-band break: the running call fails with ORA-01013 and the session stays usable.
    await this.connection.break();
  }

  untag(): void {
    this.connection.module = '';
    this.connection.action = '';
    this.connection.clientId = '';
  }

  async release(options: { discard?: boolean } = {}) {
    if (this.#released) return;
    this.#released = true;
    this.untag();
    await this.connection.close({ drop: options.discard === true }).catch(() => undefined);
  }
}
