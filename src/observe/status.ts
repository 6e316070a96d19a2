import type { Dialect } from '../db/dialects/dialect.js';

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

/** What `dwprc status` shows: queue depth, running requests, live workers, recent failures. */
export async function queueStatus(dialect: Dialect, options: { failures?: number } = {}): Promise<QueueStatus> {
  const db = dialect.db;
  const utc = await dialect.selectValue(dialect.utcNow());
  const local = await dialect.selectValue(dialect.localNow());
  const depth = await db
    .selectFrom('dwprcreq')
    .select(['status', 'requestType', (eb) => eb.fn.countAll<number>().as('count')])
    .where('status', 'in', ['NEW', 'CLAIMED'])
    .groupBy(['status', 'requestType'])
    .orderBy('status')
    .orderBy('requestType')
    .execute();
  const running = await db
    .selectFrom('dwprcreq')
    .select(['requestId', 'mapref', 'requestType', 'claimedBy', 'claimedAt', 'prcid', 'stopRequested'])
    .where('status', '=', 'CLAIMED')
    .orderBy('claimedAt')
    .execute();
  const workers = await db.selectFrom('dwprcwrk').selectAll().orderBy('workerId').execute();
  const failures = await db
    .selectFrom('dwprcreq')
    .select(['requestId', 'mapref', 'requestType', 'completedAt', 'resultPayload'])
    .where('status', '=', 'FAILED')
    .orderBy('completedAt', 'desc')
    .fetch(options.failures ?? 5)
    .execute();
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
