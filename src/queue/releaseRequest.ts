import { sql } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import type { ResultPayload } from '../engine/execution.js';
import { resultJson } from './result.js';

export interface Release {
  /** Not before this many ms from now (database clock); 0 = at once. */
  delayMs: number;
  /** Give the claim back to the attempt count: the request did nothing wrong (shutdown). */
  refundAttempt: boolean;
  /** Why it is back in the queue, kept in RESULT_PAYLOAD for `status` and `why`. */
  note: ResultPayload;
}

/** The guarded update (exported to pin its Oracle SQL). */
export function releaseStatement(dialect: Dialect, requestId: string, claimedBy: string, release: Release) {
  return dialect.db
    .updateTable('dwprcreq')
    .set({
      status: 'NEW',
      claimedBy: null,
      claimedAt: null,
      leaseExpiresAt: null,
      // Whatever run this claim closed has been recorded here: the next claim runs afresh.
      prcid: null,
      runAfter: release.delayMs > 0 ? dialect.utcNowPlus(release.delayMs) : null,
      attempts: release.refundAttempt ? sql<number>`${sql.ref('attempts')} - 1` : sql<number>`${sql.ref('attempts')}`,
      resultPayload: resultJson(release.note),
    })
    .where('requestId', '=', requestId)
    .where('claimedBy', '=', claimedBy)
    .where('status', '=', 'CLAIMED');
}

/** Puts a claimed request back to NEW (a retry), guarded like every completion. */
export async function releaseRequest(dialect: Dialect, requestId: string, claimedBy: string, release: Release): Promise<boolean> {
  const updated = await releaseStatement(dialect, requestId, claimedBy, release).executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}
