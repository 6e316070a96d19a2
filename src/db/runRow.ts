import type { Expression, Kysely, QueryCreator } from 'kysely';
import type { Dialect } from './dialects/dialect.js';
import type { Database } from './schema.js';

/**
 * The statements that open and close a run's DWPRCLOG row and write its DWJOBLOG row, shared by
 * the engine and both dialects' openRunRow/closeRunRow, so the rows are the same whichever
 * statements write them.
 */

/**
 * A run's DWPRCLOG row as the engine opens it (everything but the PRCID, which the dialect draws
 * from DWPRCLOGSEQ) and the claim that must still hold for it to be written. Shared by both
 * dialects' `openRunRow`, so the row is the same whichever statements write it.
 */
export interface RunRow {
  /**
   * JOBID: known (a DWLOGIC flow's DWJOBFLW row), or CURRENT_JOB: the MAPREF's current DWJOB
   * row's (a TypeScript flow), read by the statement that writes the row instead of a query of
   * its own.
   */
  jobid: number | null | typeof CURRENT_JOB;
  jobflwid: number | null;
  sessionId: number;
  mapref: string;
  /** DWPRCLOG.PRCLOG: `Parameters used: …`. */
  prclog: string;
  /** PARAM1 … PARAM10. */
  params: readonly (string | null)[];
}

/** The run a DWJOBLOG / DWJOBERR row belongs to. */
export interface RunIdentity {
  prcid: number;
  jobid: number | null;
  mapref: string | null;
  sessionId: number | null;
}

/** How a run row ends. */
export interface RunClose {
  prcid: number;
  status: 'PC' | 'FL' | 'ST';
  /** MSG, already cut to its column; null keeps it. */
  message: string | null;
  /** The request running it, when the close must respect a reaper (see closeRunStatement). */
  owner: RequestOwner | null;
  /**
   * How a PC run ends when someone else closed its row meanwhile (the later UI's stop sets it FL
   * with an ENDDT): ST naming the stop. Without it such a row is left as they closed it.
   */
  whenClosedElsewhere?: { status: 'ST'; message: string } | undefined;
}

/** A run's DWJOBLOG row; JOBLOGID null = the sequence's next, drawn by the insert itself. */
export interface JobLogRow {
  run: RunIdentity;
  joblogid: number | null;
  counts: RunCounts;
}

/** Row counts of a run's DWJOBLOG rows, summed. */
export interface RunCounts {
  source: number;
  target: number;
  errors: number;
}

/**
 * The worker's offer to complete a PC run's request DONE together with the close (PostgreSQL: in
 * the same statement, one commit for both). RESULT_PAYLOAD is `payloadHead` (a JSON object's
 * text without its closing brace), then `,"counts":{…}` with the run's DWJOBLOG totals when it has
 * any, then `}`. Not while `pending` finds follow-ups for the MAPREF: those take completeRequest's
 * transaction, as does everything when the dialect does not complete with the close.
 */
export interface RunCompletion {
  owner: RequestOwner;
  payloadHead: string;
  mapref: string;
  pending: (db: Kysely<Database>, mapref: string) => Expression<unknown>;
}

/**
 * What a close did: whether it ended the run, whether it completed the request too (RunCompletion),
 * and the run's DWJOBLOG totals after it (null: none).
 */
export interface ClosedRun {
  closed: boolean;
  completed: boolean;
  counts: RunCounts | null;
}

/** A run row just written. */
export interface OpenedRun {
  prcid: number;
  /** The JOBID written (CURRENT_JOB resolved). */
  jobid: number | null;
  /** The database clock (UTC wall time) when it was written: "today" for the flow comes from it. */
  openedAt: Date;
}

/** The request that owns a run: CLAIMED_BY guards every write to DWPRCREQ. */
export interface RequestOwner {
  requestId: string;
  claimedBy: string;
}

export const CURRENT_JOB = 'current';

/** The MAPREF's current DWJOB row's JOBID, the newest should there be several; NULL when none. Exported for the SQL pins. */
export function currentJobIdQuery(db: QueryCreator<Database>, mapref: string) {
  return db
    .selectFrom('dwjob')
    .select((eb) => eb.fn.max('jobid').as('jobid'))
    .where('mapref', '=', mapref)
    .where('curflg', '=', 'Y');
}

/** The IP row's columns but PRCID, stamped by the database clock. */
export function runRowValues(dialect: Dialect, row: RunRow) {
  const [param1, param2, param3, param4, param5, param6, param7, param8, param9, param10] = Array.from({ length: 10 }, (_, i) => row.params[i] ?? null);
  return {
    // A subquery without plugins: the INSERT's transform it (twice would mangle Oracle names).
    jobid: row.jobid === CURRENT_JOB ? currentJobIdQuery(dialect.db.withoutPlugins(), row.mapref) : row.jobid,
    jobflwid: row.jobflwid,
    strtdt: dialect.localNow(),
    reccrdt: dialect.localNow(),
    recupdt: dialect.localNow(),
    status: 'IP' as const,
    prclog: row.prclog,
    sessionid: row.sessionId,
    mapref: row.mapref,
    param1, param2, param3, param4, param5, param6, param7, param8, param9, param10,
  };
}

/** The IP row with a known PRCID. Exported for the SQL pins. */
export function insertRunStatement(db: Kysely<Database>, dialect: Dialect, prcid: number, row: RunRow) {
  return db.insertInto('dwprclog').values({ prcid, ...runRowValues(dialect, row) });
}

/** PRCID on the request, only while this worker still holds its claim. Exported for the SQL pins. */
export function recordPrcidStatement(db: Kysely<Database>, owner: RequestOwner, prcid: number) {
  return db
    .updateTable('dwprcreq')
    .set({ prcid })
    .where('requestId', '=', owner.requestId)
    .where('claimedBy', '=', owner.claimedBy)
    .where('status', '=', 'CLAIMED');
}

/**
 * The closing UPDATE: the row of this PRCID only, and only while it is IP or (FL and still owned
 * by this request), so a row a reaper closed is never resurrected. An FL row with an ENDDT was
 * closed by someone else while the run went on (the later UI's stop; LOG_JOB_ERROR sets no
 * ENDDT): a PC close never overwrites it, it takes `whenClosedElsewhere` or leaves the row.
 * Exported for the SQL pins.
 */
export function closeRunStatement(db: QueryCreator<Database>, dialect: Dialect, close: RunClose) {
  const { owner, prcid } = close;
  const alternative = close.status === 'PC' ? close.whenClosedElsewhere : undefined;
  return db
    .updateTable('dwprclog')
    .set((eb) => {
      const closedElsewhere = eb.and([eb('status', '=', 'FL'), eb('enddt', 'is not', null)]);
      const message = close.message === null ? eb.ref('msg') : eb.val(close.message);
      return {
        status: alternative ? eb.case().when(closedElsewhere).then(alternative.status).else(close.status).end() : close.status,
        enddt: dialect.localNow(),
        recupdt: dialect.localNow(),
        ...(alternative ? { msg: eb.case().when(closedElsewhere).then(alternative.message).else(message).end() } : close.message === null ? {} : { msg: close.message }),
      };
    })
    .where('prcid', '=', prcid)
    .where((eb) => {
      const open = eb('status', '=', 'IP');
      if (!owner) return open;
      const stillOurs = eb.exists(
        eb
          .selectFrom('dwprcreq')
          .select('dwprcreq.requestId')
          .where('dwprcreq.requestId', '=', owner.requestId)
          .where('dwprcreq.claimedBy', '=', owner.claimedBy)
          .where('dwprcreq.status', '=', 'CLAIMED')
          .where('dwprcreq.prcid', '=', prcid),
      );
      const ours = close.status === 'PC' && !alternative ? eb.and([eb('status', '=', 'FL'), eb('enddt', 'is', null), stillOurs]) : eb.and([eb('status', '=', 'FL'), stillOurs]);
      return eb.or([open, ours]);
    });
}

/** DWJOBLOG's columns, as PKGDWPRC.CREATE_JOB_LOG writes them. */
export function jobLogValues(dialect: Dialect, log: JobLogRow) {
  const { run, counts } = log;
  return {
    joblogid: log.joblogid ?? dialect.nextValue('dwjoblogseq'),
    prcdt: dialect.localNow(),
    jobid: run.jobid,
    mapref: run.mapref,
    srcrows: counts.source,
    trgrows: counts.target,
    errrows: counts.errors,
    reccrdt: dialect.localNow(),
    prcid: run.prcid,
    sessionid: run.sessionId,
  };
}

/** One DWJOBLOG row. Exported for the SQL pins. */
export function insertJobLogStatement(db: QueryCreator<Database>, dialect: Dialect, log: JobLogRow) {
  return db.insertInto('dwjoblog').values(jobLogValues(dialect, log));
}

/** DWJOBLOG totals of some runs (Oracle: at most 1000 PRCIDs). Exported for the SQL pins. */
export function jobLogTotalsQuery(db: QueryCreator<Database>, prcids: readonly number[]) {
  return db
    .selectFrom('dwjoblog')
    .select((eb) => [
      eb.fn.countAll<number>().as('logs'),
      eb.fn.sum<number>('srcrows').as('source'),
      eb.fn.sum<number>('trgrows').as('target'),
      eb.fn.sum<number>('errrows').as('errors'),
    ])
    .where('prcid', 'in', [...prcids]);
}

/** A totals row as the drivers return it (numbers or numeric text) → counts, or null for no rows. */
export function jobLogTotals(row: { logs: unknown; source: unknown; target: unknown; errors: unknown }): RunCounts | null {
  if (Number(row.logs) === 0) return null;
  return { source: Number(row.source ?? 0), target: Number(row.target ?? 0), errors: Number(row.errors ?? 0) };
}

/** Two totals added; null means none. */
export function addCounts(a: RunCounts | null, b: RunCounts | null): RunCounts | null {
  if (!a || !b) return a ?? b;
  return { source: a.source + b.source, target: a.target + b.target, errors: a.errors + b.errors };
}
