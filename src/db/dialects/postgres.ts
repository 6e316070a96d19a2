import { CamelCasePlugin, type CompiledQuery, Kysely, type KyselyPlugin, PostgresDialect as KyselyPostgres, type QueryCreator, type RawBuilder, sql } from 'kysely';
import pg from 'pg';
import { DEFAULT_FOREIGN_RULES, foreignRequestCondition, type ForeignRule } from '../../queue/foreignRequests.js';
import { PADDING } from '../../queue/padding.js';
import type { ClaimedRow } from '../../queue/request.js';
import { validIdentifier } from '../../config.js';
import { packageEntryPoint, type PackageArg, type PackageEntryPoint } from '../packageEntryPoints.js';
import { completeStatement } from '../requestRow.js';
import { addCounts, closeRunStatement, CURRENT_JOB, jobLogTotals, jobLogTotalsQuery, jobLogValues, runRowValues, type ClosedRun, type JobLogRow, type OpenedRun, type RequestOwner, type RunClose, type RunCompletion, type RunCounts, type RunRow } from '../runRow.js';
import type { Database, SequenceName } from '../schema.js';
import { objectName, TablePrefixPlugin } from '../tableNames.js';
import type {
  BindParams,
  ColumnInfo,
  Dialect,
  ErrorClass,
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
import { listenPostgres } from './postgresListener.js';
import { PreparingClient } from './postgresPreparedClient.js';
import { streamPostgresRows } from './postgresRowStream.js';
import { StatementTemplates } from '../statementTemplates.js';

const INT8 = 20;
const NUMERIC = 1700;
const TIMESTAMP = 1114;

/** Stored wall time → a Date carrying those fields in UTC (see schema.ts). */
function parseTimestamp(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

// DW ids are NUMBER(12) and session ids fit 2^53: numbers, not strings.
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    if (oid === TIMESTAMP) return parseTimestamp;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

// Dates are bound as UTC wall times, the mirror of parseTimestamp.
pg.defaults.parseInputDatesAsUTC = true;

export interface PostgresOptions {
  url: string;
  schema: string | null;
  tablePrefix: string;
  poolMax: number;
  applicationName?: string;
  /** Requests left to other services (DWPRC_FOREIGN_REQUESTS); default: the DMS tool's. */
  foreignRequests?: readonly ForeignRule[];
}

/**
 * Settings of the claim's own connection. The planner's: the claim takes the head of the queue in
 * REQUESTED_AT order from the (STATUS, REQUESTED_AT) index and stops after its window. Right
 * after a burst is queued (a bulk insert, a schedule burst, a night's backlog), the table's
 * statistics still describe a queue with almost no NEW rows; the planner then costs a bitmap scan
 * of "a few" NEW rows plus a sort as cheaper than the ordered index scan (53 against 65 in the
 * pinned test), and every claim reads and sorts the whole queue: 10 ms a claim with 10,000
 * queued, 24 ms with 20,000, while the index scan takes 0.3 ms. On this connection only the
 * claim runs, so these settings touch no flow's SQL.
 *
 * Its commit does not wait for the WAL flush either, as the run's open (openRunRow): WAL is
 * flushed in order, so the first durable commit of its runs (a flow's, or the close) makes the
 * claim durable before itself; a server crash before that loses a claim whose runs have written
 * nothing durable, and its requests are simply NEW again.
 */
export const CLAIM_SESSION_SETTINGS = { enable_bitmapscan: 'off', enable_seqscan: 'off', synchronous_commit: 'off' } as const;

/** A `pg` pool: exported for the listener connection and tests that need a raw client. */
export function createPgPool(options: PostgresOptions, settings: Readonly<Record<string, string>> = {}): pg.Pool {
  const startup = Object.entries({ ...(options.schema ? { search_path: `${options.schema},public` } : {}), ...settings }).map(([name, value]) => `-c ${name}=${value}`);
  const pool = new pg.Pool({
    Client: PreparingClient,
    connectionString: options.url,
    max: options.poolMax,
    application_name: options.applicationName ?? 'dwprc',
    types: typeParsers,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    ...(startup.length ? { options: startup.join(' ') } : {}),
  });
  // A client losing its server must not crash the process: pg emits 'error' on idle clients
  // (the pool's event) and on checked-out ones (no listener there by default). The query in
  // flight, or the next one, rejects with the error; that is where it is handled.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export function postgresPlugins(tablePrefix: string): KyselyPlugin[] {
  const plugins: KyselyPlugin[] = [new CamelCasePlugin()];
  if (tablePrefix.toUpperCase() !== 'DW') plugins.push(new TablePrefixPlugin(tablePrefix));
  return plugins;
}

/** `select pkgdwprc.<entry>($1, …) as r`: the name comes from the allow-list, every value is a bind. */
export function postgresPackageCall(entry: PackageEntryPoint, args: readonly PackageArg[]) {
  packageEntryPoint(entry, args);
  return sql<{ r: unknown }>`select ${sql.raw(`pkgdwprc.${entry}`)}(${sql.join(args)}) as r`;
}

export class PostgresDialect implements Dialect {
  readonly name = 'postgres' as const;
  readonly db: Kysely<Database>;
  readonly pool: pg.Pool;

  #claimDb: Kysely<Database> | null = null;
  readonly #templates = new StatementTemplates();
  /** closeRunRow's text holds its `pending` subquery: a shape of its own per function given. */
  readonly #pendingShapes = new WeakMap<RunCompletion['pending'], number>();
  #pendingCount = 0;

  #pendingShape(pending: RunCompletion['pending']): string {
    let n = this.#pendingShapes.get(pending);
    if (n === undefined) this.#pendingShapes.set(pending, (n = ++this.#pendingCount));
    return `pending ${n}`;
  }

  constructor(readonly options: PostgresOptions) {
    this.pool = createPgPool(options);
    this.db = new Kysely<Database>({
      dialect: new KyselyPostgres({ pool: this.pool }),
      plugins: postgresPlugins(options.tablePrefix),
    });
  }

  /**
   * The claim's own connection, opened at the first claim (a CLI command never opens it), with
   * CLAIM_SESSION_SETTINGS. One suffices: a worker claims one batch at a time. Public for the
   * test that pins the claim's plan.
   */
  get claimDb(): Kysely<Database> {
    this.#claimDb ??= new Kysely<Database>({
      dialect: new KyselyPostgres({ pool: createPgPool({ ...this.options, poolMax: 1 }, CLAIM_SESSION_SETTINGS) }),
      plugins: postgresPlugins(this.options.tablePrefix),
    });
    return this.#claimDb;
  }

  utcNow() {
    return sql<Date>`(now() at time zone 'UTC')`;
  }

  utcNowPlus(ms: number) {
    return sql<Date>`((now() at time zone 'UTC') + ${ms} * interval '1 millisecond')`;
  }

  localNow() {
    return sql<Date>`localtimestamp`;
  }

  localNowPlus(ms: number) {
    return sql<Date>`(localtimestamp + ${ms} * interval '1 millisecond')`;
  }

  nextValue(sequence: SequenceName) {
    return sql<number>`nextval(${sql.lit(objectName(sequence, this.options.tablePrefix))})`;
  }

  sessionId() {
    return sql<number>`pg_backend_pid()`;
  }

  async selectValue<T>(expression: RawBuilder<T>, db: Kysely<Database> = this.db): Promise<T> {
    const { rows } = await sql<{ v: T }>`select ${expression} as v`.execute(db);
    return rows[0]!.v;
  }

  quoteIdentifier(name: string): string {
    return `"${validIdentifier('identifier', name).toLowerCase()}"`;
  }

  async openRunRow(session: RunSession, row: RunRow, owner: RequestOwner): Promise<OpenedRun | null> {
    // One statement, atomic in autocommit: the guarded UPDATE draws the PRCID, the INSERT takes
    // it from there (a lost claim writes nothing) and its RETURNING tags the session: one round
    // trip where a transaction and a SET took seven. Built once per shape (StatementTemplates).
    // Its commit does not wait for the WAL flush (synchronous_commit off for this statement's
    // transaction only): WAL is flushed in order, so the flow's first durable commit, or the
    // close, makes the open durable too; a server crash before then loses the IP row and its
    // PRCID together, the state of a run that never started, over a claim that is still durable
    // (the reaper requeues it). That takes one flush wait off every run's start.
    const own = ownSession(session);
    const current = row.jobid === CURRENT_JOB;
    const params = Array.from({ length: 10 }, (_, i) => row.params[i] ?? null);
    const query = this.#templates.compile(
      `openRunRow:${current ? 'current job' : 'given job'}`,
      [owner.requestId, owner.claimedBy, row.jobflwid, row.sessionId, row.mapref, row.prclog, asciiMapref(row.mapref), ...params, ...(current ? [] : [row.jobid])],
      ([requestId, claimedBy, jobflwid, sessionId, mapref, prclog, tagMapref, ...rest]) =>
        this.#openRunStatement(
          { requestId, claimedBy } as RequestOwner,
          { jobid: current ? CURRENT_JOB : rest[10], jobflwid, sessionId, mapref, prclog, params: rest.slice(0, 10) } as RunRow,
          tagMapref as string,
        ).compile(),
    );
    const [opened] = await own.rows<{ prcid: unknown; jobid: unknown; openedat: Date }>(query);
    if (!opened) return null;
    own.tagged = true;
    return { prcid: Number(opened.prcid), jobid: opened.jobid === null ? null : Number(opened.jobid), openedAt: opened.openedat };
  }

  #openRunStatement(owner: RequestOwner, row: RunRow, tagMapref: string) {
    const values = runRowValues(this, row);
    const columns = Object.keys(values) as (keyof typeof values)[];
    return this.db
      .with('claim', (qb) =>
        qb
          .updateTable('dwprcreq')
          .set({ prcid: this.nextValue('dwprclogseq') })
          .where('requestId', '=', owner.requestId)
          .where('claimedBy', '=', owner.claimedBy)
          .where('status', '=', 'CLAIMED')
          .returning('prcid'),
      )
      .insertInto('dwprclog')
      .columns(['prcid', ...columns])
      .expression((eb) => eb.selectFrom('claim').select(['claim.prcid', ...columns.map((c) => sql`${values[c]}`.as(c))]))
      .returning(['prcid', 'jobid', this.utcNow().as('openedat'), setApplicationName(runApplicationNameSql(tagMapref, sql.ref('prcid'))).as('appname'), OPEN_WITHOUT_FLUSH_WAIT.as('nowait')]);
  }

  async closeRunRow(on: RunSession | Kysely<Database>, close: RunClose, jobLog: JobLogRow | null, completion: RunCompletion | null = null): Promise<ClosedRun> {
    // One autocommit statement: the guarded UPDATE in a CTE, feeding the DWJOBLOG INSERT (so the
    // row is written only if the run was closed) and, on the run session, putting the session's
    // name back; the main SELECT reads the DWJOBLOG totals as they stood before it (the flow's own
    // rows), to which the row written here is added. Five round trips as a transaction and a query.
    // With `completion` the request's DONE rides along too: the run's close and its request's
    // completion are one commit, and a worker lost between them leaves nothing half done.
    const session = on instanceof Kysely ? null : ownSession(on);
    const db = session ? session.db : (on as Kysely<Database>);
    const { owner } = close;
    const log = jobLog ? { source: jobLog.counts.source, target: jobLog.counts.target, errors: jobLog.counts.errors, prcid: jobLog.run.prcid, jobid: jobLog.run.jobid, mapref: jobLog.run.mapref, sessionId: jobLog.run.sessionId } : null;
    // closeRunStatement decides its shape by the status too: a value of the shape, not a marker.
    const elsewhere = close.whenClosedElsewhere;
    const completes = completion && close.status === 'PC' ? completion : null;
    const shape = [close.status, session ? 'session' : 'pool', close.message === null ? 'keep msg' : 'msg', owner ? 'owned' : 'unowned', !log ? 'no log' : jobLog!.joblogid === null ? 'new log' : 'log', elsewhere ? 'unless closed elsewhere' : '', completes ? `completes unless ${this.#pendingShape(completes.pending)}` : ''];
    const query = this.#templates.compile(
      `closeRunRow:${shape.join(',')}`,
      [
        close.prcid,
        ...(elsewhere ? [elsewhere.message] : []),
        ...(close.message === null ? [] : [close.message]),
        ...(owner ? [owner.requestId, owner.claimedBy] : []),
        ...(log ? [log.prcid, log.jobid, log.mapref, log.sessionId, log.source, log.target, log.errors] : []),
        ...(jobLog && jobLog.joblogid !== null ? [jobLog.joblogid] : []),
        ...(completes ? [completes.owner.requestId, completes.owner.claimedBy, completes.payloadHead, completes.mapref] : []),
      ],
      (m) => {
        let i = 1;
        const whenClosedElsewhere = elsewhere ? { status: elsewhere.status, message: m[i++] as string } : undefined;
        const message = close.message === null ? null : (m[i++] as string);
        const byRequest = owner ? { requestId: m[i++] as string, claimedBy: m[i++] as string } : null;
        const row: JobLogRow | null = log
          ? {
              run: { prcid: m[i++] as number, jobid: m[i++] as number, mapref: m[i++] as string, sessionId: m[i++] as number },
              counts: { source: m[i++] as number, target: m[i++] as number, errors: m[i++] as number },
              joblogid: jobLog!.joblogid === null ? null : (m[i++] as number),
            }
          : null;
        const completing = completes
          ? { owner: { requestId: m[i++] as string, claimedBy: m[i++] as string }, payloadHead: m[i++] as string, mapref: m[i++] as string, pending: completes.pending }
          : null;
        return this.#closeRunStatement(session !== null, { prcid: m[0] as number, status: close.status, message, owner: byRequest, whenClosedElsewhere }, row, completing).compile();
      },
    );
    type Totals = { logs: unknown; source: unknown; target: unknown; errors: unknown; closed: unknown; completed: unknown };
    const [row] = session ? await session.rows<Totals>(query) : (await db.executeQuery<Totals>(query)).rows;
    const closed = Number(row!.closed) === 1;
    if (session && closed) session.tagged = false;
    return { closed, completed: Number(row!.completed) === 1, counts: addCounts(jobLogTotals(row!), closed && jobLog ? jobLog.counts : null) };
  }

  #closeRunStatement(onSession: boolean, close: RunClose, jobLog: JobLogRow | null, completion: RunCompletion | null) {
    const closing = this.db.with('closed', (qb) => {
      const update = closeRunStatement(qb, this, close).returning('prcid');
      return onSession ? update.returning(setApplicationName(sql`${this.options.applicationName ?? 'dwprc'}`).as('appname')) : update;
    });
    const values = jobLog ? jobLogValues(this, jobLog) : null;
    // Typed as `closing`: the main query reads `closed` only; `logged` runs for its effect.
    const logging: typeof closing = values
      ? closing.with('logged', (qb) => {
          const columns = Object.keys(values) as (keyof typeof values)[];
          return qb
            .insertInto('dwjoblog')
            .columns(columns)
            .expression((eb) => eb.selectFrom('closed').select(columns.map((c) => sql`${values[c]}`.as(c))))
            .returning('prcid');
        }) as unknown as typeof closing
      : closing;
    // The run's DWJOBLOG totals before this statement, read once: for the result and for RESULT_PAYLOAD.
    const totalling = logging.with('totals', (qb) => jobLogTotalsQuery(qb as unknown as QueryCreator<Database>, [close.prcid])) as unknown as typeof closing;
    const completing: typeof closing = completion
      ? (totalling.with('completed', (qb) =>
          // Only once the run is closed: `closed` is the CTE above.
          completeStatement(qb as unknown as QueryCreator<Database>, this, completion.owner, 'DONE', resultWithCounts(completion.payloadHead, jobLog?.counts ?? null), completion.pending(this.db.withoutPlugins(), completion.mapref))
            .where(sql<boolean>`exists (select 1 from closed)`)
            .returning('requestId'),
        ) as unknown as typeof closing)
      : totalling;
    return completing
      .selectFrom(sql<{ logs: number; source: number; target: number; errors: number }>`totals`.as('t'))
      .select((eb) => [
        't.logs',
        't.source',
        't.target',
        't.errors',
        eb.selectFrom('closed').select(eb.fn.countAll<number>().as('n')).as('closed'),
        completion ? sql<number>`(select count(*) from completed)`.as('completed') : sql<number>`0`.as('completed'),
      ]);
  }

  async insertRequests(db: Kysely<Database>, rows: readonly NewRequest[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insertInto('dwprcreq')
      .values(rows.map((r) => ({ ...r, status: 'NEW', requestedAt: this.localNow() })))
      .execute();
  }

  async advanceSchedules(db: Kysely<Database>, rows: readonly ScheduleAdvance[]): Promise<void> {
    if (rows.length === 0) return;
    // Parallel arrays unnested into a row each: one UPDATE whatever the count.
    await sql`update ${sql.table('dwjobsch')} s
                 set nxt_run_dt = u.nxt, lst_run_dt = coalesce(u.lst, s.lst_run_dt),
                     lst_skip_dt = coalesce(u.skip_dt, s.lst_skip_dt), lst_skip_cnt = coalesce(u.skip_cnt, s.lst_skip_cnt)
                from unnest(${rows.map((r) => r.jobschid)}::bigint[], ${rows.map((r) => r.nxtRunDt)}::timestamp[], ${rows.map((r) => r.lstRunDt)}::timestamp[],
                            ${rows.map((r) => r.skipped?.last ?? null)}::timestamp[], ${rows.map((r) => r.skipped?.count ?? null)}::integer[])
                  as u(id, nxt, lst, skip_dt, skip_cnt)
               where s.jobschid = u.id`.execute(db);
  }

  openRunSession(): Promise<RunSession> {
    return PostgresRunSession.open(this);
  }

  async endRunSession(run: RunTag & { sessionId: number }, timeoutMs: number): Promise<RunSessionEnd> {
    try {
      // The backend must still carry this run's tag: a pid alone could have been reused.
      // pg_terminate_backend(pid, timeout) waits until the backend has exited (PostgreSQL 14+).
      const { rows } = await sql<{ ended: boolean }>`
        select pg_terminate_backend(pid, ${timeoutMs}::bigint) as ended
          from pg_stat_activity
         where pid = ${run.sessionId} and application_name = ${runApplicationName(run)}`.execute(this.db);
      if (rows.length === 0) return 'none';
      return rows.every((r) => r.ended) ? 'ended' : 'alive';
    } catch (error) {
      // 42501: not allowed to signal that role's backends; 42883: PostgreSQL before 14.
      if (['42501', '42883'].includes((error as { code?: string }).code ?? '')) return 'unknown';
      throw error;
    }
  }

  pythonConnection(): PythonConnection {
    return { driver: 'psycopg2', dsn: this.options.url, schema: this.options.schema };
  }

  pythonRunTag(run: RunTag): PythonRunTag {
    return { applicationName: runApplicationName(run) };
  }

  async serverVersion(): Promise<string> {
    const { rows } = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(this.db);
    return `PostgreSQL ${rows[0]?.v ?? '?'}`;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async sessionTimeZone(): Promise<string> {
    const { rows } = await sql<{ tz: string }>`select current_setting('TimeZone') as tz`.execute(this.db);
    return rows[0]?.tz ?? 'UTC';
  }

  async describeTables(tables: readonly string[]) {
    const names = tables.map((t) => objectName(t, this.options.tablePrefix).toLowerCase());
    // Aliases without underscores: CamelCasePlugin would rename the keys of the result.
    const { rows } = await sql<{ t: string; c: string; type: string; len: number | null; nullable: string }>`
      select table_name as t, column_name as c, data_type as type, character_maximum_length as len, is_nullable as nullable
        from information_schema.columns
       where table_schema = current_schema()
         and table_name in (${sql.join(names)})`.execute(this.db);
    const result = new Map<string, Map<string, ColumnInfo>>();
    for (const row of rows) {
      const table = tables[names.indexOf(row.t)]!;
      if (!result.has(table)) result.set(table, new Map());
      result.get(table)!.set(row.c, { type: row.len ? `${row.type}(${row.len})` : row.type, nullable: row.nullable === 'YES' });
    }
    return result;
  }

  async indexExists(name: string) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_indexes where schemaname = current_schema() and indexname = ${name.toLowerCase()}`.execute(this.db);
    return rows[0]!.n > 0;
  }

  async legacySchedulerObjects() {
    return [];
  }

  async ensureVersionTable() {
    const table = objectName('dwprcver', this.options.tablePrefix);
    await sql`create table if not exists ${sql.id(table)} (
      version integer primary key,
      name varchar(200) not null,
      applied_at timestamp(6) default localtimestamp not null)`.execute(this.db);
  }

  async withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
    // A session-level advisory lock held on one pinned connection for the whole run.
    return this.db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(hashtext('dwprc migrate'))`.execute(conn);
      try {
        return await fn();
      } finally {
        await sql`select pg_advisory_unlock(hashtext('dwprc migrate'))`.execute(conn);
      }
    });
  }

  async applyMigration(migration: MigrationFile, record: (db: Kysely<Database>) => Promise<void>) {
    // PostgreSQL DDL is transactional: the file and its version row commit together or not at all.
    await this.db.transaction().execute(async (trx) => {
      await sql.raw(migration.text).execute(trx);
      await record(trx);
    });
  }

  /** The claim as one statement (public for the test that pins its plan). */
  claimStatement(workerId: string, limit: number, leaseMs: number) {
    return this.#claimStatement(workerId, claimWindow(limit), limit, leaseMs);
  }

  #claimStatement(workerId: string, window: number, limit: number, leaseMs: number) {
    // One statement: lock a window of due candidates (skipping rows others hold and MAPREFs
    // already running), keep the first per MAPREF for IMMEDIATE/HISTORY, claim up to `limit`.
    // Type and MAPREF are compared unpadded, as the parser reads them, and a claimed run is
    // stored so: the unique index dwprcreq_one_run (on the stored values) then holds for every
    // spelling the UI may write (' immediate', 'SALES_FCT\t').
    const type = requestTypeSql;
    const mapref = maprefSql;
    const exclusive = (alias: string) => sql`${type(alias)} in ('IMMEDIATE', 'HISTORY')`;
    // The window is ordered by REQUESTED_AT alone, the order of the (STATUS, REQUESTED_AT) index,
    // so the scan stops after the window; a tie-breaker column made every claim sort all queued
    // rows sharing a REQUESTED_AT (a bulk insert: ~25 ms a claim with 20,000 queued).
    const req = sql.table('dwprcreq');
    const foreign = this.foreignRequest('q');
    return sql<ClaimedRow>`
      with candidates as (
        select q.request_id, q.requested_at,
               case when ${exclusive('q')} then 'M:' || ${mapref('q')} else 'R:' || q.request_id end as run_key
          from ${req} q
         where q.status = 'NEW'
           and (q.run_after is null or q.run_after <= ${this.utcNow()})
           and not (${exclusive('q')} and exists (
                 select 1 from ${req} c
                  where c.mapref = ${mapref('q')} and c.status = 'CLAIMED'
                    and ${exclusive('c')}))
           and not ${foreign}
         order by q.requested_at
         limit ${window}
         for update skip locked
      ), chosen as (
        select distinct on (run_key) request_id, requested_at
          from candidates
         order by run_key, requested_at, request_id
      ), picked as (
        select request_id from chosen order by requested_at, request_id limit ${limit}
      )
      update ${req} r
         set status = 'CLAIMED', claimed_by = ${workerId}, claimed_at = localtimestamp,
             lease_expires_at = ${this.utcNowPlus(leaseMs)},
             attempts = r.attempts + 1,
             request_type = case when ${exclusive('r')} then ${type('r')} else r.request_type end,
             mapref = case when ${exclusive('r')} then ${mapref('r')} else r.mapref end
        from picked p
       where r.request_id = p.request_id
      returning r.request_id, r.mapref, r.request_type, r.payload, r.attempts, r.prcid, r.stop_requested`;
  }

  foreignRequest(alias: string) {
    return foreignRequestCondition(this.options.foreignRequests ?? DEFAULT_FOREIGN_RULES, {
      type: requestTypeSql(alias),
      mapref: maprefSql(alias),
      payload: sql.ref(`${alias}.payload`),
    });
  }

  async claimRequests(workerId: string, limit: number, leaseMs: number): Promise<ClaimedRow[]> {
    const query = this.#templates.compile('claim', [workerId, claimWindow(limit), limit, leaseMs], (m) =>
      this.#claimStatement(...(m as [string, number, number, number])).compile(this.claimDb),
    );
    return (await this.claimDb.executeQuery<ClaimedRow>(query)).rows;
  }

  classifyError(error: unknown): ErrorClass {
    const e = error as { code?: string; constraint?: string; message?: string } | null;
    const code = e?.code ?? '';
    if (code === '23505' && e?.constraint?.endsWith('prcreq_one_run')) return 'conflict';
    if (['40001', '40P01', '55P03'].includes(code)) return 'conflict';
    if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', '53400'].includes(code)) return 'transient';
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(code)) return 'transient';
    if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(e?.message ?? '')) {
      return 'transient';
    }
    return 'fatal';
  }

  async listen(onWake: (channel: WakeChannel) => void) {
    return listenPostgres(
      {
        connectionString: this.options.url,
        application_name: `${this.options.applicationName ?? 'dwprc'}:listen`,
        keepAlive: true,
        connectionTimeoutMillis: 10_000,
      },
      onWake,
    );
  }

  async notify(db: Kysely<Database>, channel: WakeChannel) {
    await sql`select pg_notify(${`dwprc_${channel}`}, '')`.execute(db);
  }

  streamQuery(sqlText: string, params: BindParams, options: StreamQueryOptions) {
    return streamPostgresRows(this.pool, sqlText, params, options);
  }

  async callPackage(trx: Kysely<Database>, entry: PackageEntryPoint, args: readonly PackageArg[]) {
    const definition = packageEntryPoint(entry, args);
    if (!trx.isTransaction) throw new Error(`pkgdwprc.${entry} must be called inside a transaction`);
    const { rows } = await postgresPackageCall(entry, args).execute(trx);
    return definition.returns ? rows[0]!.r : undefined;
  }

  async close() {
    await Promise.all([this.db.destroy(), this.#claimDb?.destroy()]);
  }
}

/** REQUEST_TYPE and MAPREF unpadded in SQL exactly as the parser unpads them (queue/padding.ts). */
const requestTypeSql = (alias: string) => sql<string>`upper(btrim(${sql.ref(`${alias}.request_type`)}, ${PADDING}))`;
const maprefSql = (alias: string) => sql<string>`btrim(${sql.ref(`${alias}.mapref`)}, ${PADDING})`;

/** Candidates the claim locks for `limit` slots: room for the ones a MAPREF already running rules out. */
const claimWindow = (limit: number) => Math.max(limit * 4, 16);

/**
 * RESULT_PAYLOAD of a request completed with its run's close: `head`, then the run's DWJOBLOG
 * totals (the `totals` CTE, as they stood before this statement, plus `added`, the row it writes)
 * as `,"counts":{"source":…,"target":…,"errors":…}` when there are any rows, then `}`: the text
 * JSON.stringify writes for the same payload (the counts are whole numbers).
 */
function resultWithCounts(head: string, added: RunCounts | null): RawBuilder<string> {
  const total = (column: 'source' | 'target' | 'errors') => (added ? sql`coalesce(t.${sql.raw(column)}, 0) + ${added[column]}` : sql`coalesce(t.${sql.raw(column)}, 0)`);
  return sql<string>`cast(${head} as text) || coalesce((select ',"counts":{"source":' || (${total('source')})::text || ',"target":' || (${total('target')})::text
      || ',"errors":' || (${total('errors')})::text || '}' from totals t where t.logs + ${sql.lit(added ? 1 : 0)} > 0), '') || '}'`;
}

/** application_name holds at most 63 bytes: the MAPREF gives way so that the PRCID stays readable. */
export function runApplicationName({ mapref, prcid }: RunTag): string {
  const suffix = `:${prcid}`;
  return `dwprc:${asciiMapref(mapref).slice(0, APPLICATION_NAME_MAX - 'dwprc:'.length - suffix.length)}${suffix}`;
}

const APPLICATION_NAME_MAX = 63;
const asciiMapref = (mapref: string) => mapref.replace(/[^\x20-\x7e]/g, '?');

/** runApplicationName in SQL, for a PRCID known only to the statement (`prcid`: its column). */
export function runApplicationNameSql(mapref: string, prcid: RawBuilder<unknown> | ReturnType<typeof sql.ref>) {
  return sql<string>`('dwprc:' || left(${asciiMapref(mapref)}, ${APPLICATION_NAME_MAX - 'dwprc:'.length - 1} - length(${prcid}::text)) || ':' || ${prcid})`;
}

/** Transaction-local: the session, and the flow run on it after the open, keep their own setting. */
const OPEN_WITHOUT_FLUSH_WAIT = sql<string>`set_config('synchronous_commit', 'off', true)`;

const setApplicationName = (name: RawBuilder<unknown>) => sql<string>`set_config('application_name', ${name}, false)`;

function ownSession(session: RunSession): PostgresRunSession {
  if (!(session instanceof PostgresRunSession)) throw new TypeError('a PostgreSQL run needs a PostgreSQL run session');
  return session;
}

/** What is known about a pooled connection across the runs it serves; gone with the client. */
interface ConnectionState {
  pid: number;
  runClosed: boolean;
  /** A Kysely whose every query goes to this connection. */
  db: Kysely<Database>;
}

const connections = new WeakMap<pg.PoolClient, ConnectionState>();

/**
 * A run session on one pooled `pg` client. Its Kysely sees a "pool" that always hands out this
 * client, so every query of the run (the IP row, the flow, the close) shares the backend the
 * DWLOGIC block finds by pg_backend_pid(). Outside explicit transactions the client is in
 * autocommit mode, which is what lets a DO block COMMIT.
 */
class PostgresRunSession implements RunSession {
  #released = false;
  /** application_name names a run (openRunRow) not yet closed on this session (closeRunRow). */
  tagged = false;

  private constructor(
    readonly db: Kysely<Database>,
    private readonly state: ConnectionState,
    private readonly client: pg.PoolClient,
    private readonly dialect: PostgresDialect,
  ) {}

  get sessionId(): number {
    return this.state.pid;
  }

  get mayHoldStaleRuns(): boolean {
    return !this.state.runClosed;
  }

  markRunClosed(): void {
    this.state.runClosed = true;
  }

  /**
   * pg-pool listens for errors on idle clients only. A run holds its client for as long as the
   * flow runs; if the server drops it between statements, the unheard 'error' event would crash
   * the process. The next query on the session reports the loss instead.
   */
  private static readonly ignoreError = () => undefined;

  static async open(dialect: PostgresDialect): Promise<PostgresRunSession> {
    const client = await dialect.pool.connect();
    client.on('error', PostgresRunSession.ignoreError);
    try {
      // A backend keeps its pid for the connection's life: asked once per pooled connection; and
      // its Kysely is made once too, not at every run.
      let state = connections.get(client);
      if (!state) {
        const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
        const pinned = { query: client.query.bind(client), release: () => undefined };
        const db = new Kysely<Database>({
          dialect: new KyselyPostgres({ pool: { connect: async () => pinned, end: async () => undefined } as unknown as pg.Pool }),
          plugins: postgresPlugins(dialect.options.tablePrefix),
        });
        state = { pid: rows[0]!.pid, runClosed: false, db };
        connections.set(client, state);
      }
      return new PostgresRunSession(state.db, state, client, dialect);
    } catch (error) {
      client.removeListener('error', PostgresRunSession.ignoreError);
      client.release(true);
      throw error;
    }
  }

  /**
   * A compiled statement's rows, sent on this connection's client directly: the run's own open and
   * close skip Kysely's executor (its connection provider and result plugins, whose camel-casing
   * these lower-case columns do not need).
   */
  async rows<R>(query: CompiledQuery): Promise<R[]> {
    return (await this.client.query(query.sql, query.parameters as unknown[])).rows as R[];
  }

  async commit() {
    // 'I': idle in autocommit, nothing pending; a round trip saved on every run.
    if (this.client.getTransactionStatus() !== 'I') await this.client.query('commit');
  }

  async runBlock(text: string) {
    // No parameters: pg uses the simple query protocol, the block is one top-level statement.
    await this.client.query(text);
  }

  async cancel() {
    // The run's own connection is busy with the statement: the signal goes from another one.
    await sql`select pg_cancel_backend(${this.sessionId})`.execute(this.dialect.db);
  }

  async release(options: { discard?: boolean } = {}) {
    if (this.#released) return;
    this.#released = true;
    let destroy = options.discard === true;
    if (!destroy && this.tagged) {
      try {
        await this.client.query('reset application_name');
      } catch {
        destroy = true;
      }
    }
    this.client.removeListener('error', PostgresRunSession.ignoreError);
    this.client.release(destroy || undefined);
  }
}
