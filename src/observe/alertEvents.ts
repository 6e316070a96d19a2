import type { MisfirePolicy } from '../config.js';
import type { ExecuteRequest, Outcome } from '../engine/execution.js';
import type { Reaped } from '../queue/reapExpiredLeases.js';
import type { ClaimedRow } from '../queue/request.js';
import type { Alerter, AlertEvent } from './alerts.js';

/** The events dwprc raises, one builder each, so every payload has one shape wherever it is sent. */

/** A started run that failed: its DWPRCLOG row ended FL. Null for any other outcome. */
export function runFailedAlert(request: { requestId: string; mapref: string; type: string }, outcome: Outcome): AlertEvent | null {
  if (outcome.status !== 'FAILED' || !outcome.started) return null;
  const { prcid, prcids, message } = outcome.result;
  return {
    event: 'run_failed',
    mapref: request.mapref,
    requestId: request.requestId,
    requestType: request.type,
    prcid: prcid ?? prcids?.at(-1) ?? null,
    message,
  };
}

/** A request that ended FAILED: bad row, failed run not retried, or attempts used up. */
export function requestFailedAlert(row: Pick<ClaimedRow, 'requestId' | 'mapref' | 'requestType' | 'attempts' | 'prcid'>, message?: string): AlertEvent {
  return {
    event: 'request_failed',
    mapref: row.mapref ?? '',
    requestId: row.requestId,
    requestType: row.requestType,
    attempts: row.attempts,
    prcid: row.prcid,
    message: message ?? `request ${row.requestId} ended FAILED (its RESULT_PAYLOAD says why)`,
  };
}

const SESSION_NOTE = {
  none: '',
  ended: '; its database session was still executing it and has been ended',
  unknown: '; whether its database session still executes it could not be checked (grants)',
  alive: '',
} as const;

function runNote(reaped: Reaped): string {
  if (reaped.prcid === null) return '';
  if (reaped.unrecorded) return `, run ${reaped.prcid} had already completed and is recorded without running again`;
  // runSession is set only when the run was still open and this reaper closed it.
  return reaped.runSession === null ? `, run ${reaped.prcid} had been closed by its worker` : `, run ${reaped.prcid} closed FL`;
}

/** A worker stopped renewing a lease and this replica took the request back. */
export function leaseReapedAlert(reaped: Reaped): AlertEvent {
  const next = reaped.outcome === 'NEW' ? 'queued again' : `ended ${reaped.outcome}`;
  return {
    event: 'lease_reaped',
    mapref: reaped.mapref,
    requestId: reaped.requestId,
    prcid: reaped.prcid,
    claimedBy: reaped.claimedBy,
    outcome: reaped.outcome,
    message: `lease of ${reaped.claimedBy ?? 'an unknown worker'} expired; request ${next}${runNote(reaped)}${SESSION_NOTE[reaped.runSession ?? 'none']}`,
  };
}

/** Missed occurrences of a schedule that the misfire policy will not run. */
export function misfireSkippedAlert(misfire: { jobschid: number; mapref: string; skipped: number; policy: MisfirePolicy }): AlertEvent {
  return {
    event: 'misfire_skipped',
    mapref: misfire.mapref,
    jobschid: misfire.jobschid,
    skipped: misfire.skipped,
    policy: misfire.policy,
    message: `${misfire.skipped} missed occurrence(s) of schedule ${misfire.jobschid} skipped (DWPRC_MISFIRE=${misfire.policy})`,
  };
}

/** The engine, raising `run_failed` for every run that ends FL; outcomes pass through unchanged. */
export function alertOnFailedRuns(execute: ExecuteRequest, alerter: Alerter): ExecuteRequest {
  return async (request, context) => {
    const outcome = await execute(request, context);
    const alert = runFailedAlert(request, outcome);
    if (alert) alerter.send(alert);
    return outcome;
  };
}
