import type { Kysely } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import type { ResultPayload } from '../engine/execution.js';
import type { HistoryRequest, ImmediateRequest } from '../queue/request.js';
import { existingRequestIds, insertRequestStatement } from '../queue/enqueue.js';
import { dependencyId } from './firingId.js';
import { scheduleLinksQuery } from './scheduleLinks.js';

export interface ChildSchedule {
  jobschid: number;
  mapref: string;
}

/** The enabled child schedules of a MAPREF (DPND_JOBSCHID naming any of its rows, current or retired), in id order. */
export function childSchedules(db: Kysely<Database>, parentMapref: string): Promise<ChildSchedule[]> {
  return childSchedulesQuery(db, parentMapref).orderBy('c.jobschid').execute();
}

/**
 * Those children as one self-join (scheduleLinksQuery), unordered: also the NOT EXISTS that lets
 * a parent without children, the common case, complete in one statement (see completeRequest).
 * Exported for the SQL pins.
 */
export function childSchedulesQuery(db: Kysely<Database>, parentMapref: string) {
  return scheduleLinksQuery(db)
    .clearSelect()
    .select(['c.jobschid', 'c.mapref'])
    .where('p.mapref', '=', parentMapref)
    .where('c.schflg', '=', 'Y');
}

/**
 * After a parent run ends PC: one request for each of its enabled child schedules. A HISTORY
 * parent gives its children a HISTORY over the same days. Ids derive from the parent run and the
 * child schedule, and this runs in the transaction that completes the parent, so a child is
 * queued exactly once. Children of a failed or stopped parent get nothing; `dwprc why` explains
 * that from the parent's last run.
 */
export async function enqueueChildren(
  db: Kysely<Database>,
  dialect: Dialect,
  parent: ImmediateRequest | HistoryRequest,
  result: ResultPayload,
  children: readonly ChildSchedule[],
): Promise<string[]> {
  if (children.length === 0) return [];
  const parentKey = parent.type === 'IMMEDIATE' && typeof result.prcid === 'number' ? result.prcid : parent.requestId;
  const ids = children.map((c) => dependencyId(parentKey, c.jobschid));
  const existing = await existingRequestIds(db, ids);
  const range =
    parent.type === 'HISTORY'
      ? { start_date: (result.start_date as string | undefined) ?? parent.startDate, end_date: (result.end_date as string | undefined) ?? parent.endDate }
      : {};
  const queued: string[] = [];
  for (const [i, child] of children.entries()) {
    const requestId = ids[i]!;
    if (existing.has(requestId)) continue;
    const payload = {
      source: 'dependency',
      jobschid: child.jobschid,
      parent_mapref: parent.mapref,
      parent_request_id: parent.requestId,
      ...(typeof result.prcid === 'number' ? { parent_prcid: result.prcid } : {}),
      ...range,
    };
    await insertRequestStatement(db, dialect, { requestId, mapref: child.mapref, requestType: parent.type, payload: JSON.stringify(payload) }).execute();
    queued.push(requestId);
  }
  return queued;
}
