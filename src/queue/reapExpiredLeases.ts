import type { Kysely } from 'kysely';
import type { Dialect, RunSessionEnd } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import { ensureFailureRecorded } from '../engine/closeRun.js';
import { retryDelayMs } from './backoff.js';
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
  outcome: 'NEW' | 'FAILED' | 'CANCELLED';
  /** What became of the session of the run that was still open (null: none was). */
  runSession: RunSessionEnd | null;
  /**
   * The run had already completed (PC) and only its worker's record of it was lost: PRCID stays
   * on the request and the next claim records it DONE instead of running the flow again.
   */
  unrecorded: boolean;
}

export const LEASE_EXPIRED = 'worker lost: lease expired';

/** How long a reaper waits for the session of a reaped run to end before trying again later. */
const SESSION_END_TIMEOUT_MS = 5_000;

/** The run's session outlived the wait: the reap is rolled back and tried at the next pass. */
class StillRunning extends Error {}

/**
 * The run a lost claim had opened. Still open (no ENDDT: IP, or FL from LOG_JOB_ERROR mid-run):
 * its session may still be executing it, so that session is ended first, then the row is closed
 * FL. Already closed by its worker: left as it is; `unrecorded` when it completed. (An FL or ST
 * its worker closed is retried like any lost lease: that is how a worker that fenced itself
 * after losing its lease, or whose database went away mid-run, hands the request back.)
 */
async function closeAbandonedRun(trx: Kysely<Database>, dialect: Dialect, prcid: number, mapref: string): Promise<Pick<Reaped, 'runSession' | 'unrecorded'>> {
  const run = await trx.selectFrom('dwprclog').select(['status', 'enddt', 'sessionid', 'mapref', 'jobid']).where('prcid', '=', prcid).executeTakeFirst();
  if (!run) return { runSession: null, unrecorded: false };
  if (run.enddt !== null) return { runSession: null, unrecorded: run.status === 'PC' };
  const runSession = run.sessionid === null ? 'none' : await dialect.endRunSession({ sessionId: Number(run.sessionid), mapref: run.mapref ?? mapref, prcid }, SESSION_END_TIMEOUT_MS);
  if (runSession === 'alive') throw new StillRunning();
  const closed = await trx
    .updateTable('dwprclog')
    .set({ status: 'FL', msg: LEASE_EXPIRED, enddt: dialect.localNow(), recupdt: dialect.localNow() })
    .where('prcid', '=', prcid)
    .where('enddt', 'is', null)
    .executeTakeFirst();
  if (Number(closed.numUpdatedRows) === 1) {
    // It ended FL like any failed run: with an ERR row in DWJOBERR.
    const identity = { prcid, jobid: run.jobid, mapref: run.mapref, sessionId: run.sessionid };
    await ensureFailureRecorded(trx, dialect, identity, LEASE_EXPIRED, null);
    return { runSession, unrecorded: false };
  }
  // Its worker closed it between our look and the update: it ended after all.
  const ended = await trx.selectFrom('dwprclog').select('status').where('prcid', '=', prcid).executeTakeFirst();
  return { runSession, unrecorded: ended?.status === 'PC' };
}

function reapMessage(outcome: Reaped['outcome'], unrecorded: boolean, claimedBy: string | null, attempts: number, prcid: number | null, policy: ReapPolicy): string {
  if (outcome === 'CANCELLED') return `${LEASE_EXPIRED} on ${claimedBy} while stopping; not retried`;
  if (outcome === 'FAILED') return `${LEASE_EXPIRED} on ${claimedBy}; gave up after ${attempts} attempts`;
  if (unrecorded) return `${LEASE_EXPIRED} on ${claimedBy} after its run ${prcid} had completed; the next claim records it without running again`;
  return `${LEASE_EXPIRED} on ${claimedBy}; retry ${attempts + 1} of ${policy.retryLimit} queued`;
}

/**
 * Any replica may run this. A request whose worker stopped renewing its lease goes back to NEW
 * with backoff (FAILED after its attempts; CANCELLED when a STOP had marked it), and the run it
 * had open is closed FL. Each request is reaped in its own transaction that locks its row,
 * guarded by STATUS and the expiry, so two reapers cannot both act on it.
 *
 * Fencing: a live worker stops its runs before its lease lapses, but a SIGKILLed or stalled
 * one cannot, and its database session goes on executing the flow. So before the request can be
 * claimed again (inside the transaction, which holds the request row), the session still tagged
 * with the open run is ended; if it will not end, the request is left for the next pass.
 *
 * A worker lost after its run completed but before it recorded the request's outcome leaves a
 * run that must not execute again: the request keeps that PRCID and goes back to NEW at once,
 * whatever its attempts, for the next claim to record DONE (see engine/unrecordedRun.ts). In
 * every other requeue PRCID is cleared, so a PRCID on a NEW request always means exactly that.
 */
/** The oldest expired leases, a page without a lock (exported to pin its Oracle SQL). */
export function expiredLeasesQuery(dialect: Dialect, batch: number) {
  return dialect.db
    .selectFrom('dwprcreq')
    .select(['requestId', 'mapref'])
    .where('status', '=', 'CLAIMED')
    .where('leaseExpiresAt', '<', dialect.utcNow())
    .orderBy('leaseExpiresAt')
    .fetch(batch);
}

export async function reapExpiredLeases(
  dialect: Dialect,
  policy: ReapPolicy,
  /** Called as each reap commits, so that a reaper dying mid-batch has logged what it did. */
  onReaped: (reaped: Reaped) => void = () => undefined,
  batch = 50,
): Promise<Reaped[]> {
  const expired = await expiredLeasesQuery(dialect, batch).execute();

  const reaped: Reaped[] = [];
  for (const { requestId, mapref } of expired) {
    const done = await dialect.db
      .transaction()
      .execute(async (trx): Promise<Reaped | null> => {
        const row = await trx
          .selectFrom('dwprcreq')
          .select(['claimedBy', 'attempts', 'stopRequested', 'prcid'])
          .where('requestId', '=', requestId)
          .where('status', '=', 'CLAIMED')
          .where('leaseExpiresAt', '<', dialect.utcNow())
          .forUpdate()
          .executeTakeFirst();
        if (!row) return null;
        const { runSession, unrecorded } = row.prcid === null ? { runSession: null, unrecorded: false } : await closeAbandonedRun(trx, dialect, row.prcid, mapref);
        const outcome: Reaped['outcome'] =
          row.stopRequested !== 'N' ? 'CANCELLED' : unrecorded || row.attempts < policy.retryLimit ? 'NEW' : 'FAILED';
        const requeued = outcome === 'NEW';
        await trx
          .updateTable('dwprcreq')
          .set({
            status: outcome,
            claimedBy: requeued ? null : row.claimedBy,
            leaseExpiresAt: null,
            runAfter: requeued && !unrecorded ? dialect.utcNowPlus(retryDelayMs(row.attempts, policy.retryBaseMs)) : null,
            completedAt: requeued ? null : dialect.localNow(),
            resultPayload: resultJson({ status: requeued ? 'RETRYING' : outcome, message: reapMessage(outcome, unrecorded, row.claimedBy, row.attempts, row.prcid, policy) }),
            ...(requeued && !unrecorded ? { prcid: null } : {}),
          })
          .where('requestId', '=', requestId)
          .execute();
        return { requestId, mapref, claimedBy: row.claimedBy, prcid: row.prcid, outcome, runSession, unrecorded };
      })
      .catch((error: unknown) => {
        if (error instanceof StillRunning) return null;
        throw error;
      });
    if (!done) continue;
    reaped.push(done);
    onReaped(done);
  }
  return reaped;
}
