import type { Dialect } from '../db/dialects/dialect.js';
import { type AbandonedRun, closeAbandonedRun, LEASE_EXPIRED, StillRunning } from './abandonedRun.js';
import { retryDelayMs } from './backoff.js';
import { resultJson } from './result.js';

export interface ReapPolicy {
  /** Claims a request may use up before a lost lease makes it FAILED. */
  retryLimit: number;
  retryBaseMs: number;
}

export interface Reaped extends AbandonedRun {
  requestId: string;
  mapref: string;
  claimedBy: string | null;
  prcid: number | null;
  outcome: 'NEW' | 'FAILED' | 'CANCELLED';
}

function reapMessage(outcome: Reaped['outcome'], unrecorded: boolean, claimedBy: string | null, attempts: number, prcid: number | null, policy: ReapPolicy): string {
  if (outcome === 'CANCELLED') return `${LEASE_EXPIRED} on ${claimedBy} while stopping; not retried`;
  if (outcome === 'FAILED') return `${LEASE_EXPIRED} on ${claimedBy}; gave up after ${attempts} attempts`;
  if (unrecorded) return `${LEASE_EXPIRED} on ${claimedBy} after its run ${prcid} had completed; the next claim records it without running again`;
  return `${LEASE_EXPIRED} on ${claimedBy}; retry ${attempts + 1} of ${policy.retryLimit} queued`;
}

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
