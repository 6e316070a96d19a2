import type { Dialect } from '../db/dialects/dialect.js';

export interface StopMark {
  requestId: string;
  force: boolean;
  stopRequestId: string | null;
}

/** Which of this worker's running requests a STOP has marked (STOP_REQUESTED G or F). */
export async function readStopMarks(dialect: Dialect, claimedBy: string, requestIds: readonly string[]): Promise<StopMark[]> {
  if (requestIds.length === 0) return [];
  const rows = await dialect.db
    .selectFrom('dwprcreq')
    .select(['requestId', 'stopRequested', 'stopRequestId'])
    .where('requestId', 'in', [...requestIds])
    .where('claimedBy', '=', claimedBy)
    .where('stopRequested', 'in', ['G', 'F'])
    .execute();
  return rows.map((r) => ({ requestId: r.requestId, force: r.stopRequested === 'F', stopRequestId: r.stopRequestId }));
}
