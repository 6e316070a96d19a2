import type { Dialect, RunSessionEnd } from '../db/dialects/dialect.js';
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
  /** What became of the session of the run left IP (null: no run was open). */
  runSession: RunSessionEnd | null;
}

export const LEASE_EXPIRED = 'worker lost: lease expired';

/** How long a reaper waits for the session of a reaped run to end before trying again later. */
const SESSION_END_TIMEOUT_MS = 5_000;

/** The run's session outlived the wait: the reap is rolled back and tried at the next pass. */
class StillRunning extends Error {}

/**
 * Any replica may run this. A request whose worker stopped renewing its lease goes back to NEW
 * with backoff (FAILED after its attempts; CANCELLED when a STOP had marked it), and the run it
 * had started is closed FL. Each request is reaped in its own transaction, guarded by STATUS and
 * the expiry, so two reapers cannot both act on it.
 *
 * Fencing: a live worker stops its runs before its lease lapses, but a SIGKILLed or stalled
 * one cannot, and its database session goes on executing the flow. So before the request can be
 * claimed again (inside the transaction, which holds the request row), the session still tagged
 * with the open run is ended; if it will not end, the request is left for the next pass.
 */
export async function reapExpiredLeases(
  dialect: Dialect,
  policy: ReapPolicy,
  /** Called as each reap commits, so that a reaper dying mid-batch has logged what it did. */
  onReaped: (reaped: Reaped) => void = () => undefined,
  batch = 50,
): Promise<Reaped[]> {
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
    const done = await dialect.db
      .transaction()
      .execute(async (trx) => {
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
        const run = prcid === null ? undefined : await trx.selectFrom('dwprclog').select(['status', 'sessionid', 'mapref']).where('prcid', '=', prcid).executeTakeFirst();
        let runSession: RunSessionEnd | null = null;
        if (prcid !== null && run?.status === 'IP') {
          runSession = run.sessionid === null ? 'none' : await dialect.endRunSession({ sessionId: Number(run.sessionid), mapref: run.mapref ?? row.mapref, prcid }, SESSION_END_TIMEOUT_MS);
          if (runSession === 'alive') throw new StillRunning();
          await trx
            .updateTable('dwprclog')
            .set({ status: 'FL', msg: LEASE_EXPIRED, enddt: dialect.localNow(), recupdt: dialect.localNow() })
            .where('prcid', '=', prcid)
            .where('status', '=', 'IP')
            .execute();
        }
        return { requestId: row.requestId, mapref: row.mapref, claimedBy: row.claimedBy, prcid, outcome, runSession };
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
