import type { ImmediateRequest } from '../queue/request.js';
import type { ExecutionContext } from './execution.js';

/**
 * The run an earlier claim of this request completed (PC) while its worker was lost before it
 * recorded the outcome on the request (DWPRCREQ.PRCID left by the reaper). Running the flow
 * again would repeat finished work, ETL flows not being idempotent, so the request is DONE with
 * that run. Null when there is none: the run must be PC, closed, and of this MAPREF. (A HISTORY
 * needs no such check: its PROGRESS advanced with that PC, so it resumes after the day.)
 */
export async function completedUnrecordedRun(request: ImmediateRequest, context: ExecutionContext): Promise<number | null> {
  if (request.unrecordedPrcid === null) return null;
  const run = await context.dialect.db
    .selectFrom('dwprclog')
    .select('prcid')
    .where('prcid', '=', request.unrecordedPrcid)
    .where('mapref', '=', request.mapref)
    .where('status', '=', 'PC')
    .where('enddt', 'is not', null)
    .executeTakeFirst();
  return run?.prcid ?? null;
}
