import type { Dialect } from '../db/dialects/dialect.js';
import { endRun } from '../engine/closeRun.js';
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
}

export const LEASE_EXPIRED = 'worker lost: lease expired';

/**
 * Any replica may run this. A request whose worker stopped renewing its lease goes back to NEW
 * with backoff (FAILED after its attempts; CANCELLED when a STOP had marked it), and the run it
 * had started is closed FL. The worker fences itself before its lease lapses, so nothing is
 * still writing to a reaped run. Each request is reaped in its own transaction, guarded by
 * STATUS and the expiry, so two reapers cannot both act on it.
 */
export async function reapExpiredLeases(dialect: Dialect, policy: ReapPolicy, batch = 50): Promise<Reaped[]> {
  const expired = await dialect.db
    .selectFrom('dwprcreq')
    .select(['requestId', 'mapref', 'claimedBy', 'attempts', 'stopRequested'])
    .where('status', '=', 'CLAIMED')
    .where('leaseExpiresAt', '<', dialect.utcNow())
    .orderBy('leaseExpiresAt')
    .fetch(batch)
    .execute();

  const reaped: Reaped[] = [];
  for (const row of expired) {
    const outcome: Reaped['outcome'] =
      row.stopRequested !== 'N' ? 'CANCELLED' : row.attempts >= policy.retryLimit ? 'FAILED' : 'NEW';
    const message =
      outcome === 'CANCELLED'
        ? `${LEASE_EXPIRED} on ${row.claimedBy} while stopping; not retried`
        : outcome === 'FAILED'
          ? `${LEASE_EXPIRED} on ${row.claimedBy}; gave up after ${row.attempts} attempts`
          : `${LEASE_EXPIRED} on ${row.claimedBy}; retry ${row.attempts + 1} of ${policy.retryLimit} queued`;
    const done = await dialect.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('dwprcreq')
        .set({
          status: outcome,
          claimedBy: outcome === 'NEW' ? null : row.claimedBy,
          leaseExpiresAt: null,
          runAfter: outcome === 'NEW' ? dialect.utcNowPlus(retryDelayMs(row.attempts, policy.retryBaseMs)) : null,
          completedAt: outcome === 'NEW' ? null : dialect.localNow(),
          resultPayload: resultJson({ status: outcome === 'NEW' ? 'RETRYING' : outcome, message }),
        })
        .where('requestId', '=', row.requestId)
        .where('status', '=', 'CLAIMED')
        .where('leaseExpiresAt', '<', dialect.utcNow())
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return null;
      const { prcid } = await trx.selectFrom('dwprcreq').select('prcid').where('requestId', '=', row.requestId).executeTakeFirstOrThrow();
      // The run it had started ends FL like any failed run: with its ERR row in DWJOBERR.
      if (prcid !== null) await endRun(trx, dialect, { prcid, status: 'FL', message: LEASE_EXPIRED, owner: null });
      return { requestId: row.requestId, mapref: row.mapref, claimedBy: row.claimedBy, prcid, outcome };
    });
    if (done) reaped.push(done);
  }
  return reaped;
}
