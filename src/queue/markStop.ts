import type { Dialect } from '../db/dialects/dialect.js';
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

async function findTarget(dialect: Dialect, stop: StopRequest): Promise<Target | undefined> {
  const base = dialect.db.selectFrom('dwprcreq').select(['requestId', 'status', 'claimedBy', 'prcid', 'requestType']);
  if (stop.targetRequestId) return base.where('requestId', '=', stop.targetRequestId).executeTakeFirst();
  if (stop.startTimestamp) {
    // The UI names a run by the STRTDT of its DWPRCLOG row, to the second (a wall-clock value).
    const second = new Date(`${stop.startTimestamp.replace(' ', 'T').slice(0, 19)}Z`);
    if (Number.isNaN(second.getTime())) return undefined;
    const run = await dialect.db
      .selectFrom('dwprclog')
      .select('prcid')
      .where('mapref', '=', stop.mapref)
      .where('status', '=', 'IP')
      .where('strtdt', '>=', second)
      .where('strtdt', '<', new Date(second.getTime() + 1000))
      .executeTakeFirst();
    if (!run) return undefined;
    return base.where('prcid', '=', run.prcid).where('status', '=', 'CLAIMED').executeTakeFirst();
  }
  const running = await base.where('mapref', '=', stop.mapref).where('status', '=', 'CLAIMED').execute();
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
    const updated = await dialect.db
      .updateTable('dwprcreq')
      .set({
        status: 'CANCELLED', completedAt: dialect.localNow(), stopRequestId: stop.requestId,
        resultPayload: resultJson({ status: 'CANCELLED', message: `cancelled by STOP ${stop.requestId} before it started` }),
      })
      .where('requestId', '=', target.requestId)
      .where('status', '=', 'NEW')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) {
      return { status: 'DONE', message: `request ${target.requestId} was queued; cancelled`, target: target.requestId };
    }
    return markStop(dialect, { ...stop, targetRequestId: target.requestId });
  }
  await dialect.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('dwprcreq')
      .set({ stopRequested: stop.force ? 'F' : 'G', stopRequestId: stop.requestId })
      .where('requestId', '=', target.requestId)
      .where('status', '=', 'CLAIMED')
      .execute();
    await dialect.notify(trx, 'stop');
  });
  return {
    status: 'DONE',
    message: `${mode} stop requested for request ${target.requestId}${target.prcid ? ` (PRCID ${target.prcid})` : ''} on worker ${target.claimedBy}`,
    target: target.requestId,
    ...(target.prcid ? { prcid: target.prcid } : {}),
  };
}
