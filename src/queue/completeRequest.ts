import type { Expression, Kysely } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import type { ResultPayload } from '../engine/execution.js';
import { resultJson } from './result.js';

export type FinalStatus = 'DONE' | 'FAILED' | 'CANCELLED';

/**
 * Requests that must be queued in the transaction that completes this one (dependency children).
 * `pending` selects what there is to queue; when it finds nothing, the completion is one
 * statement, guarded by NOT EXISTS (pending), and `queue` is not called.
 */
export interface FollowUp {
  pending: (db: Kysely<Database>) => Expression<unknown>;
  queue: (trx: Kysely<Database>) => Promise<void>;
}

/** The guarded final update (exported to pin its Oracle SQL); with `unless`, only while that finds nothing. */
export function completeStatement(
  db: Kysely<Database>,
  dialect: Dialect,
  requestId: string,
  claimedBy: string,
  status: FinalStatus,
  result: ResultPayload,
  unless?: Expression<unknown>,
) {
  return db
    .updateTable('dwprcreq')
    .set({ status, resultPayload: resultJson(result), completedAt: dialect.localNow(), leaseExpiresAt: null })
    .where('requestId', '=', requestId)
    .where('claimedBy', '=', claimedBy)
    .where('status', '=', 'CLAIMED')
    .$if(unless !== undefined, (qb) => qb.where((eb) => eb.not(eb.exists(unless!))));
}

/**
 * Ends a claimed request. Guarded by CLAIMED_BY and STATUS: a worker whose lease was reaped
 * meanwhile changes nothing (fencing) and learns it from the `false` it gets back. One statement,
 * committed on its own (both pools autocommit outside a transaction), unless `followUp` has
 * something to queue: then the update and the queueing share one transaction.
 */
export async function completeRequest(
  dialect: Dialect,
  requestId: string,
  claimedBy: string,
  status: FinalStatus,
  result: ResultPayload,
  followUp?: FollowUp,
): Promise<boolean> {
  const complete = async (db: Kysely<Database>, unless?: Expression<unknown>) => {
    const updated = await completeStatement(db, dialect, requestId, claimedBy, status, result, unless).executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  };
  if (!followUp) return complete(dialect.db);
  // Nothing to queue (the common case) or the claim is gone: decided by this one statement.
  // The subquery without plugins: those of the statement it goes into transform it (once).
  if (await complete(dialect.db, followUp.pending(dialect.db.withoutPlugins()))) return true;
  return dialect.db.transaction().execute(async (trx) => {
    if (!(await complete(trx))) return false;
    await followUp.queue(trx);
    return true;
  });
}
