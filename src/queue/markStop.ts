import type { Kysely } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import type { ResultPayload } from '../engine/execution.js';
import { isExclusiveType } from './pickClaimable.js';
import type { StopRequest } from './request.js';
import { resultJson } from './result.js';

interface Target {
  requestId: string;
  status: string;
  claimedBy: string | null;
  prcid: number | null;
}

/** The requests a STOP may target (exported, like the statements below, to pin their Oracle SQL). */
export function stopTargetsQuery(dialect: Dialect) {
  return dialect.db.selectFrom('dwprcreq').select(['requestId', 'status', 'claimedBy', 'prcid', 'requestType']);
}

/** The UI names a run by the STRTDT of its DWPRCLOG row, to the second (a wall-clock value). */
export function startSecond(startTimestamp: string): Date | null {
  const second = new Date(`${startTimestamp.replace(' ', 'T').slice(0, 19)}Z`);
  return Number.isNaN(second.getTime()) ? null : second;
}

/**
 * The CLAIMED request whose run of `mapref` started within that second, whatever the run row's
 * STATUS now says: the later UI sets that row FL itself right after queueing the STOP, so the
 * row alone no longer tells a running run from a finished one; the request does.
 */
export function runStartedAtQuery(dialect: Dialect, mapref: string, from: Date) {
  return dialect.db
    .selectFrom('dwprcreq as r')
    .innerJoin('dwprclog as l', 'l.prcid', 'r.prcid')
    .select(['r.requestId', 'r.status', 'r.claimedBy', 'r.prcid', 'r.requestType'])
    .where('r.status', '=', 'CLAIMED')
    .where('l.mapref', '=', mapref)
    .where('l.strtdt', '>=', from)
    .where('l.strtdt', '<', new Date(from.getTime() + 1000));
}

export function cancelQueuedByStopStatement(dialect: Dialect, targetId: string, stopRequestId: string) {
  return dialect.db
    .updateTable('dwprcreq')
    .set({
      status: 'CANCELLED', completedAt: dialect.localNow(), stopRequestId,
      resultPayload: resultJson({ status: 'CANCELLED', message: `cancelled by STOP ${stopRequestId} before it started` }),
    })
    .where('requestId', '=', targetId)
    .where('status', '=', 'NEW');
}

export function markRunningStatement(db: Kysely<Database>, targetId: string, stop: Pick<StopRequest, 'force' | 'requestId'>) {
  return db
    .updateTable('dwprcreq')
    .set({ stopRequested: stop.force ? 'F' : 'G', stopRequestId: stop.requestId })
    .where('requestId', '=', targetId)
    .where('status', '=', 'CLAIMED');
}

async function findTarget(dialect: Dialect, stop: StopRequest): Promise<Target | undefined> {
  if (stop.targetRequestId) return stopTargetsQuery(dialect).where('requestId', '=', stop.targetRequestId).executeTakeFirst();
  if (stop.startTimestamp) {
    const second = startSecond(stop.startTimestamp);
    if (!second) return undefined;
    return runStartedAtQuery(dialect, stop.mapref, second).executeTakeFirst();
  }
  const running = await stopTargetsQuery(dialect).where('mapref', '=', stop.mapref).where('status', '=', 'CLAIMED').execute();
  return running.find((r) => isExclusiveType(r.requestType));
}

/**
 * Handles a STOP row: marks the targeted running request (the owning worker sees the mark at its
 * next heartbeat, at once with a wake-up channel), or cancels it if it is still queued.
 * The returned payload says what happened; `NOT_RUNNING` when there was nothing to stop.
 */
export async function markStop(dialect: Dialect, stop: StopRequest): Promise<ResultPayload> {
  const target = await findTarget(dialect, stop);
  const mode = stop.force ? 'force' : 'graceful';
  if (!target || !['NEW', 'CLAIMED'].includes(target.status)) {
    return {
      status: 'NOT_RUNNING',
      message: target ? `request ${target.requestId} is already ${target.status}` : `no running execution of ${stop.mapref} to stop`,
    };
  }
  if (target.status === 'NEW') {
    const updated = await cancelQueuedByStopStatement(dialect, target.requestId, stop.requestId).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) {
      return { status: 'DONE', message: `request ${target.requestId} was queued; cancelled`, target: target.requestId };
    }
    return markStop(dialect, { ...stop, targetRequestId: target.requestId });
  }
  await dialect.db.transaction().execute(async (trx) => {
    await markRunningStatement(trx, target.requestId, stop).execute();
    await dialect.notify(trx, 'stop');
  });
  return {
    status: 'DONE',
    message: `${mode} stop requested for request ${target.requestId}${target.prcid ? ` (PRCID ${target.prcid})` : ''} on worker ${target.claimedBy}`,
    target: target.requestId,
    ...(target.prcid ? { prcid: target.prcid } : {}),
  };
}
