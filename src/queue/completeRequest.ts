import type { Kysely } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import type { ResultPayload } from '../engine/execution.js';
import { resultJson } from './result.js';

export type FinalStatus = 'DONE' | 'FAILED' | 'CANCELLED';

/** The guarded final update (exported to pin its Oracle SQL). */
export function completeStatement(db: Kysely<Database>, dialect: Dialect, requestId: string, claimedBy: string, status: FinalStatus, result: ResultPayload) {
  return db
    .updateTable('dwprcreq')
    .set({ status, resultPayload: resultJson(result), completedAt: dialect.localNow(), leaseExpiresAt: null })
    .where('requestId', '=', requestId)
    .where('claimedBy', '=', claimedBy)
    .where('status', '=', 'CLAIMED');
}

/**
 * Ends a claimed request. Guarded by CLAIMED_BY and STATUS: a worker whose lease was reaped
 * meanwhile changes nothing (fencing) and learns it from the `false` it gets back. `alsoDo`
 * runs in the same transaction once the update took effect (queueing dependent requests).
 */
export async function completeRequest(
  dialect: Dialect,
  requestId: string,
  claimedBy: string,
  status: FinalStatus,
  result: ResultPayload,
  alsoDo?: (trx: Kysely<Database>) => Promise<void>,
): Promise<boolean> {
  return dialect.db.transaction().execute(async (trx) => {
    const updated = await completeStatement(trx, dialect, requestId, claimedBy, status, result).executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    await alsoDo?.(trx);
    return true;
  });
}
