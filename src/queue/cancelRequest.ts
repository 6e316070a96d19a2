import type { Dialect } from '../db/dialects/dialect.js';
import { UserError } from '../errors.js';
import { resultJson } from './result.js';

/** The request's current status (exported, like the statements below, to pin its Oracle SQL). */
export function requestStatusQuery(dialect: Dialect, requestId: string) {
  return dialect.db.selectFrom('dwprcreq').select('status').where('requestId', '=', requestId);
}

export function cancelQueuedStatement(dialect: Dialect, requestId: string, reason: string) {
  return dialect.db
    .updateTable('dwprcreq')
    .set({ status: 'CANCELLED', completedAt: dialect.localNow(), resultPayload: resultJson({ status: 'CANCELLED', message: reason }) })
    .where('requestId', '=', requestId)
    .where('status', '=', 'NEW');
}

export function retryFailedStatement(dialect: Dialect, requestId: string) {
  return dialect.db
    .updateTable('dwprcreq')
    .set({
      status: 'NEW', attempts: 0, runAfter: null, claimedBy: null, claimedAt: null, completedAt: null,
      leaseExpiresAt: null, stopRequested: 'N', stopRequestId: null, prcid: null,
      resultPayload: resultJson({ status: 'NEW', message: 'requeued by dwprc retry' }),
    })
    .where('requestId', '=', requestId)
    .where('status', '=', 'FAILED');
}

async function currentStatus(dialect: Dialect, requestId: string): Promise<string> {
  const row = await requestStatusQuery(dialect, requestId).executeTakeFirst();
  if (!row) throw new UserError(`request ${requestId} not found`);
  return row.status;
}

/** A queued (NEW) request becomes CANCELLED; a running one needs `dwprc stop`. */
export async function cancelRequest(dialect: Dialect, requestId: string, reason = 'cancelled by dwprc cancel'): Promise<void> {
  const updated = await cancelQueuedStatement(dialect, requestId, reason).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 1) return;
  const status = await currentStatus(dialect, requestId);
  throw new UserError(`request ${requestId} is ${status}; only NEW requests can be cancelled (a running one: dwprc stop)`);
}

/** A FAILED request goes back to NEW with a fresh attempt count: the operator's retry. */
export async function retryRequest(dialect: Dialect, requestId: string): Promise<void> {
  const updated = await retryFailedStatement(dialect, requestId).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 1) return;
  const status = await currentStatus(dialect, requestId);
  throw new UserError(`request ${requestId} is ${status}; only FAILED requests can be retried`);
}
