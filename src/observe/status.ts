import type { Kysely } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';

export interface QueueStatus {
  depth: { status: string; requestType: string; count: number }[];
  running: { requestId: string; mapref: string; requestType: string; claimedBy: string | null; claimedAt: Date | null; ageSeconds: number; prcid: number | null; stopRequested: string }[];
  workers: { workerId: string; host: string | null; pid: number | null; concurrency: number | null; running: number; heartbeatAgeSeconds: number }[];
  lastFailures: { requestId: string; mapref: string; requestType: string; completedAt: Date | null; message: string }[];
}

function message(resultPayload: string | null): string {
  if (!resultPayload) return '';
  try {
    return String((JSON.parse(resultPayload) as { message?: unknown }).message ?? '');
  } catch {
    return resultPayload.slice(0, 200);
  }
}

const seconds = (from: Date | null, now: Date) => (from ? Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000)) : 0);

/** The four queries of `dwprc status` (exported to pin their Oracle SQL). */
export function statusQueries(db: Kysely<Database>, failures: number) {
  return {
    depth: db
      .selectFrom('dwprcreq')
      .select(['status', 'requestType', (eb) => eb.fn.countAll<number>().as('count')])
      .where('status', 'in', ['NEW', 'CLAIMED'])
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
  const queries = statusQueries(dialect.db, options.failures ?? 5);
  const depth = await queries.depth.execute();
  const running = await queries.running.execute();
  const workers = await queries.workers.execute();
  const failures = await queries.failures.execute();
  return {
    depth: depth.map((d) => ({ ...d, count: Number(d.count) })),
    running: running.map((r) => ({ ...r, ageSeconds: seconds(r.claimedAt, local) })),
    workers: workers.map((w) => ({
      workerId: w.workerId, host: w.host, pid: w.pid, concurrency: w.concurrency, running: w.running,
      heartbeatAgeSeconds: seconds(w.heartbeatAt, utc),
    })),
    lastFailures: failures.map((f) => ({ requestId: f.requestId, mapref: f.mapref, requestType: f.requestType, completedAt: f.completedAt, message: message(f.resultPayload) })),
  };
}
