import type { Dialect } from '../../db/dialects/dialect.js';
import type { StopRequest } from '../../queue/request.js';
import type { ResultPayload } from '../execution.js';
import { definesExecuteJob } from '../pythonLogic.js';
import { currentFlowQuery } from '../resolveFlow.js';

/** How often the STOP slot looks whether the stopped run has ended. */
const POLL_MS = 500;

/**
 * A Python flow stops itself: it polls DWPRCREQ for a STOP row of its MAPREF in NEW or CLAIMED
 * and returns STOPPED at its next batch. So the STOP row of a graceful stop of such a run stays
 * CLAIMED (its lease renewed by this slot) until the target request has left CLAIMED; then the
 * caller completes it DONE. Any other stop returns at once. `signal` (the slot's stop) ends the wait.
 */
export async function holdStopWhileRunning(dialect: Dialect, stop: StopRequest, result: ResultPayload, signal: AbortSignal): Promise<ResultPayload> {
  const target = typeof result.target === 'string' ? result.target : null;
  if (stop.force || result.status !== 'DONE' || target === null) return result;
  const isPython = async () => {
    const flow = await currentFlowQuery(dialect.db, stop.mapref).executeTakeFirst();
    return flow ? definesExecuteJob(flow.dwlogic ?? '') : false;
  };
  const running = () => dialect.db.selectFrom('dwprcreq').select(['status', 'prcid']).where('requestId', '=', target).executeTakeFirst();
  let state = await running();
  if (state?.status !== 'CLAIMED' || !(await isPython())) return result;
  while (state?.status === 'CLAIMED' && !signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    state = await running();
  }
  if (state?.status === 'CLAIMED') return result;
  const run = state?.prcid ? await dialect.db.selectFrom('dwprclog').select('status').where('prcid', '=', state.prcid).executeTakeFirst() : undefined;
  return { ...result, message: `${result.message}; request ${target} then ended ${state?.status ?? 'gone'}${run ? ` (run ${run.status})` : ''}` };
}
