import type { Dialect } from '../db/dialects/dialect.js';

export interface StopMark {
  requestId: string;
  force: boolean;
  stopRequestId: string | null;
}

/** Exported to pin its Oracle SQL; `requestIds` must not be empty (no `IN ()`). */
export function stopMarksQuery(dialect: Dialect, claimedBy: string, requestIds: readonly string[]) {
  return dialect.db
    .selectFrom('dwprcreq')
    .select(['requestId', 'stopRequested', 'stopRequestId'])
    .where('requestId', 'in', [...requestIds])
    .where('claimedBy', '=', claimedBy)
    .where('stopRequested', 'in', ['G', 'F']);
}

/** Which of this worker's running requests a STOP has marked (STOP_REQUESTED G or F). */
export async function readStopMarks(dialect: Dialect, claimedBy: string, requestIds: readonly string[]): Promise<StopMark[]> {
  if (requestIds.length === 0) return [];
  const rows = await stopMarksQuery(dialect, claimedBy, requestIds).execute();
  return rows.map((r) => ({ requestId: r.requestId, force: r.stopRequested === 'F', stopRequestId: r.stopRequestId }));
}
