import type { HistoryRequest, ImmediateRequest } from '../queue/request.js';
import type { ExecutionContext } from './execution.js';

export interface UnrecordedRun {
  prcid: number;
  status: 'PC' | 'FL' | 'ST';
  msg: string | null;
}

/**
 * The run an earlier claim of this request closed while its worker was lost before it recorded
 * the outcome on the request (DWPRCREQ.PRCID left by the reaper). Running the flow again would
 * repeat finished work, ETL flows not being idempotent, so the caller takes this run's ending as
 * the request's. Null when there is none: the run must be closed (ENDDT set) and of this MAPREF.
 */
export async function unrecordedRun(request: ImmediateRequest | HistoryRequest, context: ExecutionContext): Promise<UnrecordedRun | null> {
  if (request.unrecordedPrcid === null) return null;
  const run = await context.dialect.db
    .selectFrom('dwprclog')
    .select(['prcid', 'status', 'msg'])
    .where('prcid', '=', request.unrecordedPrcid)
    .where('mapref', '=', request.mapref)
    .where('enddt', 'is not', null)
    .where('status', 'in', ['PC', 'FL', 'ST'])
    .executeTakeFirst();
  return run ? { prcid: run.prcid, status: run.status as UnrecordedRun['status'], msg: run.msg } : null;
}

/** One sentence for RESULT_PAYLOAD: what that run did and why it is not run again. */
export function unrecordedMessage(mapref: string, run: UnrecordedRun): string {
  const ending = run.status === 'PC' ? 'completed' : `${run.status === 'FL' ? 'failed' : 'stopped'}${run.msg ? `: ${run.msg}` : ''}`;
  return `${mapref} (PRCID ${run.prcid}) ${ending} in an earlier attempt whose worker was lost before recording it; not run again`;
}
