import type { Kysely } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
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

interface Expired {
  requestId: string;
  mapref: string;
  claimedBy: string | null;
  attempts: number;
  stopRequested: string;
}

/** The oldest expired leases, a batch (exported, like the statements below, to pin their Oracle SQL). */
export function expiredLeasesQuery(dialect: Dialect, batch: number) {
  return dialect.db
    .selectFrom('dwprcreq')
    .select(['requestId', 'mapref', 'claimedBy', 'attempts', 'stopRequested'])
    .where('status', '=', 'CLAIMED')
    .where('leaseExpiresAt', '<', dialect.utcNow())
    .orderBy('leaseExpiresAt')
    .fetch(batch);
}

/** What becomes of an expired request, with the one line RESULT_PAYLOAD keeps. */
export function reapOutcome(row: Expired, policy: ReapPolicy): { outcome: Reaped['outcome']; message: string } {
  const outcome: Reaped['outcome'] = row.stopRequested !== 'N' ? 'CANCELLED' : row.attempts >= policy.retryLimit ? 'FAILED' : 'NEW';
  const message =
    outcome === 'CANCELLED'
      ? `${LEASE_EXPIRED} on ${row.claimedBy} while stopping; not retried`
      : outcome === 'FAILED'
        ? `${LEASE_EXPIRED} on ${row.claimedBy}; gave up after ${row.attempts} attempts`
        : `${LEASE_EXPIRED} on ${row.claimedBy}; retry ${row.attempts + 1} of ${policy.retryLimit} queued`;
  return { outcome, message };
}

/** Guarded by STATUS and the expiry, so that of two reapers only one acts. */
export function reapStatement(db: Kysely<Database>, dialect: Dialect, row: Expired, policy: ReapPolicy) {
  const { outcome, message } = reapOutcome(row, policy);
  return db
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
    .where('leaseExpiresAt', '<', dialect.utcNow());
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
 * STATUS and the expiry, so two reapers cannot both act on it.
 */
export async function reapExpiredLeases(dialect: Dialect, policy: ReapPolicy, batch = 50): Promise<Reaped[]> {
  const expired = await expiredLeasesQuery(dialect, batch).execute();
  const reaped: Reaped[] = [];
  for (const row of expired) {
    const done = await dialect.db.transaction().execute(async (trx) => {
      const updated = await reapStatement(trx, dialect, row, policy).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return null;
      const { prcid } = await requestPrcidQuery(trx, row.requestId).executeTakeFirstOrThrow();
      if (prcid !== null) await failLostRunStatement(trx, dialect, prcid).execute();
      return { requestId: row.requestId, mapref: row.mapref, claimedBy: row.claimedBy, prcid, outcome: reapOutcome(row, policy).outcome };
    });
    if (done) reaped.push(done);
  }
  return reaped;
}
