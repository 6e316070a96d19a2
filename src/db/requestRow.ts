import type { Expression, QueryCreator } from 'kysely';
import type { Dialect } from './dialects/dialect.js';
import type { RequestOwner } from './runRow.js';
import type { Database } from './schema.js';

export type FinalStatus = 'DONE' | 'FAILED' | 'CANCELLED';

/**
 * A request's final update, guarded by CLAIMED_BY and STATUS (a worker whose lease was reaped
 * changes nothing); with `unless`, only while that finds nothing (dependency children to queue).
 * Shared by completeRequest and PostgreSQL's close that completes its request; exported for the pins.
 */
export function completeStatement(
  db: QueryCreator<Database>,
  dialect: Dialect,
  owner: RequestOwner,
  status: FinalStatus,
  resultPayload: string | Expression<string>,
  unless?: Expression<unknown>,
) {
  return db
    .updateTable('dwprcreq')
    .set({ status, resultPayload, completedAt: dialect.localNow(), leaseExpiresAt: null })
    .where('requestId', '=', owner.requestId)
    .where('claimedBy', '=', owner.claimedBy)
    .where('status', '=', 'CLAIMED')
    .$if(unless !== undefined, (qb) => qb.where((eb) => eb.not(eb.exists(unless!))));
}
