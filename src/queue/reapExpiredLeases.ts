import type { Dialect } from '../db/dialects/dialect.js';
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

/**
 * Any replica may run this. A request whose worker stopped renewing its lease goes back to NEW
 * with backoff (FAILED after its attempts; CANCELLED when a STOP had marked it), and the run it
 * had started is closed FL. The worker fences itself before its lease lapses, so nothing is
 * still writing to a reaped run. Each request is reaped in its own transaction, guarded by
 * STATUS and the expiry, so two reapers cannot both act on it.
 *
 * An IMMEDIATE whose run had already ended PC (the worker died between closing the run and
 * completing the request) is not run again: it becomes DONE and its dependants are queued.
 */
export async function reapExpiredLeases(dialect: Dialect, policy: ReapPolicy, batch = 50): Promise<Reaped[]> {
  const expired = await dialect.db
    .selectFrom('dwprcreq')
    .select(['requestId', 'mapref', 'requestType', 'payload', 'claimedBy', 'attempts', 'prcid', 'stopRequested'])
    .where('status', '=', 'CLAIMED')
    .where('leaseExpiresAt', '<', dialect.utcNow())
    .orderBy('leaseExpiresAt')
    .fetch(batch)
    .execute();

  const reaped: Reaped[] = [];
  for (const row of expired) {
    const parsed = parseRequest(row);
    const finished =
      parsed.ok && parsed.request.type === 'IMMEDIATE' && row.prcid !== null
        ? (await dialect.db.selectFrom('dwprclog').select('status').where('prcid', '=', row.prcid).executeTakeFirst())?.status === 'PC'
        : false;
    const outcome: Reaped['outcome'] = finished
      ? 'DONE'
      : row.stopRequested !== 'N' ? 'CANCELLED' : row.attempts >= policy.retryLimit ? 'FAILED' : 'NEW';
    const message = {
      DONE: `run ${row.prcid} ended PC; ${LEASE_EXPIRED} on ${row.claimedBy} before the request was marked done`,
      CANCELLED: `${LEASE_EXPIRED} on ${row.claimedBy} while stopping; not retried`,
      FAILED: `${LEASE_EXPIRED} on ${row.claimedBy}; gave up after ${row.attempts} attempts`,
      NEW: `${LEASE_EXPIRED} on ${row.claimedBy}; retry ${row.attempts + 1} of ${policy.retryLimit} queued`,
    }[outcome];
    const done = await dialect.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('dwprcreq')
        .set({
          status: outcome,
          claimedBy: outcome === 'NEW' ? null : row.claimedBy,
          leaseExpiresAt: null,
          runAfter: outcome === 'NEW' ? dialect.utcNowPlus(retryDelayMs(row.attempts, policy.retryBaseMs)) : null,
          completedAt: outcome === 'NEW' ? null : dialect.localNow(),
          resultPayload: resultJson({
            status: outcome === 'NEW' ? 'RETRYING' : outcome,
            message,
            ...(outcome === 'DONE' ? { prcid: row.prcid! } : {}),
          }),
        })
        .where('requestId', '=', row.requestId)
        .where('status', '=', 'CLAIMED')
        .where('leaseExpiresAt', '<', dialect.utcNow())
        .where((eb) => (row.prcid === null ? eb('prcid', 'is', null) : eb('prcid', '=', row.prcid)))
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return null;
      if (outcome === 'DONE' && parsed.ok && parsed.request.type === 'IMMEDIATE') {
        await enqueueChildren(trx, dialect, parsed.request, { status: 'DONE', message, prcid: row.prcid! });
      }
      const { prcid } = await trx.selectFrom('dwprcreq').select('prcid').where('requestId', '=', row.requestId).executeTakeFirstOrThrow();
      if (prcid !== null) {
        await trx
          .updateTable('dwprclog')
          .set({ status: 'FL', msg: LEASE_EXPIRED, enddt: dialect.localNow(), recupdt: dialect.localNow() })
          .where('prcid', '=', prcid)
          .where('status', '=', 'IP')
          .execute();
      }
      return { requestId: row.requestId, mapref: row.mapref, claimedBy: row.claimedBy, prcid, outcome };
    });
    if (done) reaped.push(done);
  }
  return reaped;
}
