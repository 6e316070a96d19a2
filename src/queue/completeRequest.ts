import type { Dialect } from '../db/dialects/dialect.js';
import type { ResultPayload } from '../engine/execution.js';
import { resultJson } from './result.js';

export type FinalStatus = 'DONE' | 'FAILED' | 'CANCELLED';

/**
 * Ends a claimed request. Guarded by CLAIMED_BY and STATUS: a worker whose lease was reaped
 * meanwhile changes nothing (fencing) and learns it from the `false` it gets back.
 */
export async function completeRequest(
  dialect: Dialect,
  requestId: string,
  claimedBy: string,
  status: FinalStatus,
  result: ResultPayload,
): Promise<boolean> {
  const updated = await dialect.db
    .updateTable('dwprcreq')
    .set({ status, resultPayload: resultJson(result), completedAt: dialect.localNow(), leaseExpiresAt: null })
    .where('requestId', '=', requestId)
    .where('claimedBy', '=', claimedBy)
    .where('status', '=', 'CLAIMED')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}
