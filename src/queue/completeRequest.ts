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
 * runs in the same transaction once the update took effect (queueing dependent requests);
 * without it the update is one statement committed on its own.
 */
export async function completeRequest(
  dialect: Dialect,
  requestId: string,
  claimedBy: string,
  status: FinalStatus,
  result: ResultPayload,
  alsoDo?: (trx: Kysely<Database>) => Promise<void>,
): Promise<boolean> {
  const complete = async (db: Kysely<Database>) => {
    const updated = await completeStatement(db, dialect, requestId, claimedBy, status, result).executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  };
  // Without alsoDo one statement, committed on its own (both pools autocommit outside a transaction).
  if (!alsoDo) return complete(dialect.db);
  return dialect.db.transaction().execute(async (trx) => {
    if (!(await complete(trx))) return false;
    await alsoDo(trx);
    return true;
  });
}
