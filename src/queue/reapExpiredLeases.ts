import type { Kysely } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import { enqueueChildren } from '../scheduler/fanOut.js';
import { retryDelayMs } from './backoff.js';
import { parseRequest } from './parseRequest.js';
import { resultJson } from './result.js';

export interface ReapPolicy {
  /** Claims a request may use up before a lost lease makes it FAILED. */
  retryLimit: number;
  retryBaseMs: number;
}

export interface Reaped {
  requestId: string;
  mapref: string;
  claimedBy: string | null;
  prcid: number | null;
  outcome: 'NEW' | 'FAILED' | 'CANCELLED' | 'DONE';
}

export const LEASE_EXPIRED = 'worker lost: lease expired';

interface Expired {
  requestId: string;
  mapref: string;
  requestType: string;
  payload: string | null;
  claimedBy: string | null;
  attempts: number;
  prcid: number | null;
  stopRequested: string;
}

/** The oldest expired leases, a batch (exported, like the statements below, to pin their Oracle SQL). */
export function expiredLeasesQuery(dialect: Dialect, batch: number) {
  return dialect.db
    .selectFrom('dwprcreq')
    .select(['requestId', 'mapref', 'requestType', 'payload', 'claimedBy', 'attempts', 'prcid', 'stopRequested'])
    .where('status', '=', 'CLAIMED')
    .where('leaseExpiresAt', '<', dialect.utcNow())
    .orderBy('leaseExpiresAt')
    .fetch(batch);
}

export function runStatusQuery(db: Kysely<Database>, prcid: number) {
  return db.selectFrom('dwprclog').select('status').where('prcid', '=', prcid);
}

/**
 * What becomes of an expired request, with the one line RESULT_PAYLOAD keeps. `runEndedPc`: its
 * current run had already ended PC (the worker died between closing the run and completing the
 * request), which for an IMMEDIATE means the work is done and must not run twice.
 */
export function reapOutcome(row: Expired, policy: ReapPolicy, runEndedPc = false): { outcome: Reaped['outcome']; message: string } {
  const outcome: Reaped['outcome'] = runEndedPc
    ? 'DONE'
    : row.stopRequested !== 'N' ? 'CANCELLED' : row.attempts >= policy.retryLimit ? 'FAILED' : 'NEW';
  const message = {
    DONE: `run ${row.prcid} ended PC; ${LEASE_EXPIRED} on ${row.claimedBy} before the request was marked done`,
    CANCELLED: `${LEASE_EXPIRED} on ${row.claimedBy} while stopping; not retried`,
    FAILED: `${LEASE_EXPIRED} on ${row.claimedBy}; gave up after ${row.attempts} attempts`,
    NEW: `${LEASE_EXPIRED} on ${row.claimedBy}; retry ${row.attempts + 1} of ${policy.retryLimit} queued`,
  }[outcome];
  return { outcome, message };
}

/** Guarded by STATUS, the expiry and the run it had, so that of two reapers only one acts. */
export function reapStatement(db: Kysely<Database>, dialect: Dialect, row: Expired, reap: { outcome: Reaped['outcome']; message: string }, policy: ReapPolicy) {
  const { outcome, message } = reap;
  return db
    .updateTable('dwprcreq')
    .set({
      status: outcome,
      claimedBy: outcome === 'NEW' ? null : row.claimedBy,
      leaseExpiresAt: null,
      runAfter: outcome === 'NEW' ? dialect.utcNowPlus(retryDelayMs(row.attempts, policy.retryBaseMs)) : null,
      completedAt: outcome === 'NEW' ? null : dialect.localNow(),
      resultPayload: resultJson({ status: outcome === 'NEW' ? 'RETRYING' : outcome, message, ...(outcome === 'DONE' ? { prcid: row.prcid! } : {}) }),
    })
    .where('requestId', '=', row.requestId)
    .where('status', '=', 'CLAIMED')
    .where('leaseExpiresAt', '<', dialect.utcNow())
    .where((eb) => (row.prcid === null ? eb('prcid', 'is', null) : eb('prcid', '=', row.prcid)));
}

export function requestPrcidQuery(db: Kysely<Database>, requestId: string) {
  return db.selectFrom('dwprcreq').select('prcid').where('requestId', '=', requestId);
}

/** The run a lost worker left IP ends FL. */
export function failLostRunStatement(db: Kysely<Database>, dialect: Dialect, prcid: number) {
  return db
    .updateTable('dwprclog')
    .set({ status: 'FL', msg: LEASE_EXPIRED, enddt: dialect.localNow(), recupdt: dialect.localNow() })
    .where('prcid', '=', prcid)
    .where('status', '=', 'IP');
}

/**
 * Any replica may run this. A request whose worker stopped renewing its lease goes back to NEW
 * with backoff (FAILED after its attempts; CANCELLED when a STOP had marked it), and the run it
 * had started is closed FL. The worker fences itself before its lease lapses, so nothing is
 * still writing to a reaped run. Each request is reaped in its own transaction, guarded by
 * STATUS and the expiry, so two reapers cannot both act on it. An IMMEDIATE whose run had
 * already ended PC becomes DONE instead, and its dependants are queued.
 */
export async function reapExpiredLeases(dialect: Dialect, policy: ReapPolicy, batch = 50): Promise<Reaped[]> {
  const expired = await expiredLeasesQuery(dialect, batch).execute();
  const reaped: Reaped[] = [];
  for (const row of expired) {
    const parsed = parseRequest(row);
    const immediate = parsed.ok && parsed.request.type === 'IMMEDIATE' ? parsed.request : null;
    const runEndedPc = immediate !== null && row.prcid !== null && (await runStatusQuery(dialect.db, row.prcid).executeTakeFirst())?.status === 'PC';
    const reap = reapOutcome(row, policy, runEndedPc);
    const done = await dialect.db.transaction().execute(async (trx) => {
      const updated = await reapStatement(trx, dialect, row, reap, policy).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return null;
      if (reap.outcome === 'DONE' && immediate) {
        await enqueueChildren(trx, dialect, immediate, { status: 'DONE', message: reap.message, prcid: row.prcid! });
      }
      const { prcid } = await requestPrcidQuery(trx, row.requestId).executeTakeFirstOrThrow();
      if (prcid !== null) await failLostRunStatement(trx, dialect, prcid).execute();
      return { requestId: row.requestId, mapref: row.mapref, claimedBy: row.claimedBy, prcid, outcome: reap.outcome };
    });
    if (done) reaped.push(done);
  }
  return reaped;
}
