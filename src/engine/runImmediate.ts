import type { ImmediateRequest } from '../queue/request.js';
import { businessZone } from './businessDay.js';
import { usableZone } from './zoneDay.js';
import type { RunCounts } from '../db/runRow.js';
import { resultJson } from '../queue/result.js';
import type { ExecutionContext, Outcome, ResultPayload } from './execution.js';
import { notStarted, stoppedBeforeStart } from './outcomes.js';
import { resolveFlow } from './resolveFlow.js';
import { runCounts } from './runCounts.js';
import { firedStop } from './stopCause.js';
import { RunCloseFailed, runOnce } from './runProtocol.js';
import { targetTruncation } from './truncateTarget.js';
import { completedUnrecordedRun } from './unrecordedRun.js';

const REQUEST_STATUS = { PC: 'DONE', FL: 'FAILED', ST: 'CANCELLED' } as const;

/** IMMEDIATE: one run of the MAPREF's flow with the request's parameters. */
export async function runImmediate(request: ImmediateRequest, context: ExecutionContext): Promise<Outcome> {
  const { mapref } = request;
  const stopped = firedStop(context.control);
  if (stopped) return stoppedBeforeStart(mapref, stopped.reason);
  const completed = await completedUnrecordedRun(request, context);
  if (completed !== null) {
    const counts = await runCounts(context.dialect.db, [completed]).catch(() => null);
    const message = `${mapref} (PRCID ${completed}) completed in an earlier attempt whose worker was lost before recording it; not run again`;
    return { status: 'DONE', started: true, result: { status: 'DONE', message, prcid: completed, runStatus: 'PC', ...(counts ? { counts } : {}) } };
  }
  let prepared;
  try {
    const flow = await resolveFlow(mapref, context);
    const truncate = request.truncate ? await targetTruncation(mapref, context) : null;
    // Today comes from the database clock when the run row is written; an unusable zone fails here, before.
    prepared = { flow, businessDate: { todayIn: usableZone(await businessZone(context)) }, truncate };
  } catch (error) {
    return notStarted(mapref, error);
  }
  let run;
  try {
    run = await runOnce({ request, params: request.params, completedPayloadHead: (prcid, message) => resultJson(immediateResult('DONE', message, prcid, 'PC', null)).slice(0, -1), ...prepared }, context);
  } catch (error) {
    if (error instanceof RunCloseFailed) throw error;
    return notStarted(mapref, error);
  }
  if (!run.started) return { status: 'FAILED', started: false, result: { status: 'FAILED', message: run.message } };
  const status = REQUEST_STATUS[run.status];
  return { status, started: true, result: immediateResult(status, run.message, run.prcid, run.status, run.counts), ...(run.completed ? { completed: true } : {}) };
}

/** RESULT_PAYLOAD of a run's request; its key order is the text a close that completes it writes (completedPayloadHead). */
function immediateResult(status: Outcome['status'], message: string, prcid: number, runStatus: 'PC' | 'FL' | 'ST', counts: RunCounts | null): ResultPayload {
  return { status, message, prcid, runStatus, ...(counts ? { counts } : {}) };
}
