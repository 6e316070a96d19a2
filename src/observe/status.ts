import type { Kysely } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import { isExclusiveType } from '../queue/pickClaimable.js';
import { readResult } from '../queue/result.js';
import { foreignWaitingQuery } from './foreignActivity.js';
import { estimateRunning } from './runEstimates.js';
import type { Database } from '../db/schema.js';

export interface QueueStatus {
  /** dwprc's own requests waiting and running. */
  depth: { status: string; requestType: string; count: number }[];
  /** NEW requests left for other services (DWPRC_FOREIGN_REQUESTS), apart from the queue. */
  leftForOtherServices: { requestType: string; count: number; oldest: Date | null }[];
  running: RunningStatus[];
  workers: { workerId: string; host: string | null; pid: number | null; concurrency: number | null; running: number; heartbeatAgeSeconds: number }[];
  lastFailures: { requestId: string; mapref: string; requestType: string; completedAt: Date | null; message: string }[];
}

export interface RunningStatus {
  requestId: string;
  mapref: string;
  requestType: string;
  claimedBy: string | null;
  claimedAt: Date | null;
  ageSeconds: number;
  prcid: number | null;
  stopRequested: string;
  /** DWPRCLOG.STRTDT of the run (else the claim), the database's local clock. */
  startedAt: Date | null;
  /** Median duration of the MAPREF's last PC runs (null: none to go by), and when this run should end by it. */
  expectedSeconds: number | null;
  expectedFinish: Date | null;
  p95Seconds: number | null;
  /** How many recent PC runs the estimate rests on. */
  basedOnRuns: number;
  /** Running longer than 1.5 × the p95 of its recent runs (needs at least 3 of them). */
  overdue: boolean;
}

const seconds = (from: Date | null, now: Date) => (from ? Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000)) : 0);

/** The queries of `dwprc status` (exported to pin their Oracle SQL). */
export function statusQueries(dialect: Dialect, failures: number) {
  const { db } = dialect;
  return {
    depth: db
      .selectFrom('dwprcreq')
      .select(['status', 'requestType', (eb) => eb.fn.countAll<number>().as('count')])
      .where('status', 'in', ['NEW', 'CLAIMED'])
      .where((eb) => eb.not(dialect.foreignRequest('dwprcreq')))
      .groupBy(['status', 'requestType'])
      .orderBy('status')
      .orderBy('requestType'),
    running: db
      .selectFrom('dwprcreq')
      .select(['requestId', 'mapref', 'requestType', 'claimedBy', 'claimedAt', 'prcid', 'stopRequested'])
      .where('status', '=', 'CLAIMED')
      .orderBy('claimedAt'),
    workers: db.selectFrom('dwprcwrk').selectAll().orderBy('workerId'),
    failures: db
      .selectFrom('dwprcreq')
      .select(['requestId', 'mapref', 'requestType', 'completedAt', 'resultPayload'])
      .where('status', '=', 'FAILED')
      .orderBy('completedAt', 'desc')
      .fetch(failures),
  };
}

/** What `dwprc status` shows: queue depth, running requests, live workers, recent failures. */
export async function queueStatus(dialect: Dialect, options: { failures?: number } = {}): Promise<QueueStatus> {
  const utc = await dialect.selectValue(dialect.utcNow());
  const local = await dialect.selectValue(dialect.localNow());
  const queries = statusQueries(dialect, options.failures ?? 5);
  const depth = await queries.depth.execute();
  const foreign = await foreignWaitingQuery(dialect).execute();
  const running = await queries.running.execute();
  // Only flow runs have DWPRCLOG history to go by (a REPORT's MAPREF names no flow).
  const estimates = await estimateRunning(dialect.db, running.filter((r) => isExclusiveType(r.requestType)), local);
  const workers = await queries.workers.execute();
  const failures = await queries.failures.execute();
  return {
    depth: depth.map((d) => ({ ...d, count: Number(d.count) })),
    leftForOtherServices: foreign.map((f) => ({ requestType: f.requestType, count: Number(f.count), oldest: f.oldest ? new Date(f.oldest) : null })),
    running: running.map((r) => {
      const e = estimates.get(r.requestId);
      return {
        ...r,
        ageSeconds: seconds(r.claimedAt, local),
        startedAt: e?.startedAt ?? null,
        expectedSeconds: e?.estimate?.expectedSeconds ?? null,
        expectedFinish: e?.expectedFinish ?? null,
        p95Seconds: e?.estimate?.p95Seconds ?? null,
        basedOnRuns: e?.estimate?.basedOnRuns ?? 0,
        overdue: e?.estimate?.overdue ?? false,
      };
    }),
    workers: workers.map((w) => ({
      workerId: w.workerId, host: w.host, pid: w.pid, concurrency: w.concurrency, running: w.running,
      heartbeatAgeSeconds: seconds(w.heartbeatAt, utc),
    })),
    lastFailures: failures.map((f) => ({ requestId: f.requestId, mapref: f.mapref, requestType: f.requestType, completedAt: f.completedAt, message: readResult(f.resultPayload).message ?? '' })),
  };
}
