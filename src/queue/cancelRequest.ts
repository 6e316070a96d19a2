import type { Dialect } from '../db/dialects/dialect.js';
import { UserError } from '../errors.js';
import { resultJson } from './result.js';
import { resumedPayload } from './resumePoint.js';

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

/** `payload`: the request's new PAYLOAD (--resume), written only if the row is still FAILED. */
export function retryFailedStatement(dialect: Dialect, requestId: string, payload?: string) {
  return dialect.db
    .updateTable('dwprcreq')
    .set({
      ...(payload === undefined ? {} : { payload }),
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

/**
 * A FAILED request goes back to NEW with a fresh attempt count: the operator's retry. `resume`:
 * an IMMEDIATE's param1 becomes the checkpoint its last run left in PARAM1 (resumePoint.ts).
 * Returns that param1, or null when the request runs as it was.
 */
export async function retryRequest(dialect: Dialect, requestId: string, options: { resume?: boolean } = {}): Promise<{ resumedAt: string | null }> {
  const resumed = options.resume ? await resumePayload(dialect, requestId) : null;
  const updated = await retryFailedStatement(dialect, requestId, resumed ? JSON.stringify(resumed.payload) : undefined).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 1) return { resumedAt: resumed?.param1 ?? null };
  const status = await currentStatus(dialect, requestId);
  throw new UserError(`request ${requestId} is ${status}; only FAILED requests can be retried`);
}

/** The request's type, payload and last run's PARAM1 (exported to pin its Oracle SQL). */
export function lastCheckpointQuery(dialect: Dialect, requestId: string) {
  return dialect.db
    .selectFrom('dwprcreq')
    .leftJoin('dwprclog', 'dwprclog.prcid', 'dwprcreq.prcid')
    .select(['dwprcreq.requestType', 'dwprcreq.payload', 'dwprcreq.prcid', 'dwprclog.param1'])
    .where('dwprcreq.requestId', '=', requestId);
}

async function resumePayload(dialect: Dialect, requestId: string): Promise<{ payload: Record<string, unknown>; param1: string } | null> {
  const row = await lastCheckpointQuery(dialect, requestId).executeTakeFirst();
  if (!row) throw new UserError(`request ${requestId} not found`);
  if (row.requestType.trim().toUpperCase() !== 'IMMEDIATE') {
    throw new UserError(`--resume: request ${requestId} is ${row.requestType.trim()}; only IMMEDIATE requests resume from a checkpoint (a HISTORY resumes at its first unfinished day by itself)`);
  }
  if (row.prcid === null) throw new UserError(`--resume: request ${requestId} has no run (DWPRCREQ.PRCID) whose checkpoint it could resume from`);
  let payload: Record<string, unknown> = {};
  try {
    const parsed: unknown = row.payload?.trim() ? JSON.parse(row.payload) : {};
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) payload = parsed as Record<string, unknown>;
  } catch {
    throw new UserError(`--resume: the PAYLOAD of request ${requestId} is not a JSON object`);
  }
  const next = resumedPayload(payload, row.param1 ?? null);
  return next ? { payload: next, param1: row.param1! } : null;
}
