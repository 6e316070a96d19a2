import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { estimateRun, type RunEstimate } from './durationStats.js';

/** How many of a MAPREF's latest PC runs the estimate of a running one rests on. */
export const RECENT_RUNS = 10;

/** The latest PC runs of a MAPREF with both times (the database's local clock). Exported for the Oracle SQL pin. */
export function recentRunsQuery(db: Kysely<Database>, mapref: string) {
  return db
    .selectFrom('dwprclog')
    .select(['strtdt', 'enddt'])
    .where('mapref', '=', mapref)
    .where('status', '=', 'PC')
    .where('strtdt', 'is not', null)
    .where('enddt', 'is not', null)
    .orderBy('prcid', 'desc')
    .fetch(RECENT_RUNS);
}

export interface RunningRequest {
  requestId: string;
  mapref: string;
  prcid: number | null;
  claimedAt: Date | null;
}

export interface RunningEstimate {
  /** The run's DWPRCLOG.STRTDT, else the claim time (both the database's local clock). */
  startedAt: Date | null;
  elapsedSeconds: number | null;
  /** Null when the MAPREF has no PC run to go by. */
  estimate: RunEstimate | null;
  /** startedAt + the median duration. */
  expectedFinish: Date | null;
}

/**
 * For each running request: how long it has run and what its MAPREF's recent PC runs say about
 * when it ends (a HISTORY request: the day in progress, each day being its own run).
 */
export async function estimateRunning(db: Kysely<Database>, running: readonly RunningRequest[], nowLocal: Date): Promise<Map<string, RunningEstimate>> {
  const prcids = running.flatMap((r) => (r.prcid === null ? [] : [r.prcid]));
  const maprefs = [...new Set(running.map((r) => r.mapref))];
  const [starts, durations] = await Promise.all([
    prcids.length ? db.selectFrom('dwprclog').select(['prcid', 'strtdt']).where('prcid', 'in', prcids).execute() : [],
    Promise.all(
      maprefs.map(async (mapref) => {
        const rows = await recentRunsQuery(db, mapref).execute();
        return [mapref, rows.map((r) => (r.enddt!.getTime() - r.strtdt!.getTime()) / 1000).filter((s) => s >= 0)] as const;
      }),
    ),
  ]);
  const startOf = new Map(starts.map((s) => [Number(s.prcid), s.strtdt]));
  const recent = new Map(durations);
  const result = new Map<string, RunningEstimate>();
  for (const r of running) {
    const startedAt = (r.prcid !== null ? startOf.get(r.prcid) : null) ?? r.claimedAt;
    const elapsedSeconds = startedAt ? Math.max(0, (nowLocal.getTime() - startedAt.getTime()) / 1000) : null;
    const estimate = elapsedSeconds === null ? null : estimateRun(recent.get(r.mapref) ?? [], elapsedSeconds);
    result.set(r.requestId, {
      startedAt,
      elapsedSeconds,
      estimate,
      expectedFinish: startedAt && estimate ? new Date(startedAt.getTime() + estimate.expectedSeconds * 1000) : null,
    });
  }
  return result;
}
