import { Kysely } from 'kysely';
import type { Dialect, RunSession } from '../db/dialects/dialect.js';
import { type ClosedRun, closeRunStatement, jobLogTotals, jobLogTotalsQuery, type RequestOwner, type RunClose, type RunCompletion } from '../db/runRow.js';
import type { Database } from '../db/schema.js';
import type { RowCounts } from './flow.js';
import { insertJobError, insertJobLog, type RunIdentity } from './jobRecords.js';
import { clip, MSG_MAX } from './text.js';

/** The request that owns a run: CLAIMED_BY guards every write to DWPRCREQ. */
export type RunOwner = RequestOwner;

export interface RunEnd {
  prcid: number;
  status: 'PC' | 'FL' | 'ST';
  /** MSG; null keeps it (a PC run keeps the last error PKGDWPRC.LOG_JOB_ERROR wrote). */
  message: string | null;
  /** FL: the full error text, DBERRMSG of the engine's DWJOBERR row. */
  detail?: string | null;
  /**
   * The request running it. An FL row is closed only while this request still owns the run:
   * then the FL came from LOG_JOB_ERROR, not from a reaper that took the run over.
   */
  owner: RunOwner | null;
  /** A TypeScript flow's counts: its one DWJOBLOG row (a new JOBLOGID when null). */
  jobLog?: { joblogid: number | null; counts: RowCounts } | null;
  /**
   * JOBID, MAPREF and SESSIONID of the row, for its DWJOBLOG/DWJOBERR rows, when the caller
   * wrote them (it opened the run); otherwise they are read back from the row.
   */
  identity?: RunIdentity;
  /** A PC run whose row someone else closed meanwhile ends so instead (see closeRunStatement). */
  whenClosedElsewhere?: RunClose['whenClosedElsewhere'];
  /** Further writes that must commit with a PC close (history progress). */
  onCompleted?: ((db: Kysely<Database>) => Promise<void>) | undefined;
  /** The request's completion, offered with a PC close (ClosedRun.completed says whether it was made). */
  completion?: RunCompletion | undefined;
}

/** MSG as it is written: cut to its column. */
function closing(end: RunEnd): RunClose {
  const elsewhere = end.whenClosedElsewhere ? { whenClosedElsewhere: { ...end.whenClosedElsewhere, message: clip(end.whenClosedElsewhere.message, MSG_MAX) } } : {};
  return { prcid: end.prcid, status: end.status, message: end.message === null ? null : clip(end.message, MSG_MAX), owner: end.owner, ...elsewhere };
}

/** What the DWJOBLOG / DWJOBERR rows of a run repeat (exported, like the two below, for the SQL pins). */
export function runIdentityQuery(db: Kysely<Database>, prcid: number) {
  return db.selectFrom('dwprclog').select(['jobid', 'mapref', 'sessionid']).where('prcid', '=', prcid);
}

export function errorCountQuery(db: Kysely<Database>, prcid: number) {
  return db
    .selectFrom('dwjoberr')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('prcid', '=', prcid)
    .where('errtyp', '=', 'ERR');
}

export function lastJobLogQuery(db: Kysely<Database>, prcid: number) {
  return db
    .selectFrom('dwjoblog')
    .select((eb) => eb.fn.max('joblogid').as('id'))
    .where('prcid', '=', prcid);
}

/**
 * Sets the final status of one DWPRCLOG row, with its DWJOBLOG and DWJOBERR rows, in the
 * caller's transaction. Returns false when the row was no longer this run's to close (already
 * PC/ST, or FL by a reaper): it is left as it is.
 */
export async function endRun(db: Kysely<Database>, dialect: Dialect, end: RunEnd): Promise<boolean> {
  const { prcid } = end;
  const updated = await closeRunStatement(db, dialect, closing(end)).executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) return false;

  const identity = end.identity ?? (await readIdentity(db, prcid));
  if (end.jobLog) await insertJobLog(db, dialect, identity, end.jobLog.joblogid, end.jobLog.counts);
  if (end.status === 'FL') await ensureFailureRecorded(db, dialect, identity, end.message ?? 'failed', end.detail ?? null);
  if (end.status === 'PC') await end.onCompleted?.(db);
  return true;
}

async function readIdentity(db: Kysely<Database>, prcid: number): Promise<RunIdentity> {
  const run = await runIdentityQuery(db, prcid).executeTakeFirstOrThrow();
  return { prcid, jobid: run.jobid, mapref: run.mapref, sessionId: run.sessionid };
}

/** Every failed run has at least one DWJOBERR row of type ERR: the engine writes it when the flow did not. */
export async function ensureFailureRecorded(db: Kysely<Database>, dialect: Dialect, run: Parameters<typeof insertJobError>[2], message: string, detail: string | null) {
  const errors = await errorCountQuery(db, run.prcid).executeTakeFirstOrThrow();
  if (Number(errors.n) > 0) return;
  const log = await lastJobLogQuery(db, run.prcid).executeTakeFirst();
  // As LOG_JOB_ERROR does before any job log: id 0.
  await insertJobError(db, dialect, run, { joblogid: Number(log?.id ?? 0), type: 'ERR', message, dbMessage: detail ?? message, key: null });
}

/**
 * How a close that carried `whenClosedElsewhere` went, read back from the row once it is committed:
 * the run as it ended (ST naming the stop when someone else had closed the row), so the request
 * ends as its run did. Only a run a stop reached takes this extra read.
 */
export async function endedAs(db: Kysely<Database>, end: RunEnd): Promise<RunEnd> {
  const alternative = end.whenClosedElsewhere;
  if (!alternative) return end;
  const row = await runStatusQuery(db, end.prcid).executeTakeFirst();
  return row?.status === alternative.status ? { ...end, status: alternative.status, message: alternative.message } : end;
}

export function runStatusQuery(db: Kysely<Database>, prcid: number) {
  return db.selectFrom('dwprclog').select('status').where('prcid', '=', prcid);
}

/**
 * endRun, committed on its own, on the run session or (when that connection failed) the pool;
 * with the run's DWJOBLOG totals for RESULT_PAYLOAD, read in the same round trips.
 * The common end (PC or ST, with at most the flow's DWJOBLOG row,
 * nothing else to write) is Dialect.closeRunRow: one statement on PostgreSQL instead of a
 * four-round-trip transaction. A failure (DWJOBERR rows) or a history day (progress) takes the
 * transaction.
 */
export function closeRun(on: RunSession | Kysely<Database>, dialect: Dialect, end: RunEnd): Promise<ClosedRun> {
  const simple = end.status !== 'FL' && !(end.status === 'PC' && end.onCompleted) && (!end.jobLog || end.identity);
  if (simple) {
    const jobLog = end.jobLog && end.identity ? { run: end.identity, joblogid: end.jobLog.joblogid, counts: end.jobLog.counts } : null;
    return dialect.closeRunRow(on, closing(end), jobLog, end.completion ?? null);
  }
  const db = on instanceof Kysely ? on : on.db;
  return db.transaction().execute(async (trx) => {
    const closed = await endRun(trx, dialect, end);
    return { closed, completed: false, counts: jobLogTotals(await jobLogTotalsQuery(trx, [end.prcid]).executeTakeFirstOrThrow()) };
  });
}
