import type { Kysely } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import type { Check } from './doctor.js';
import { durationText } from './durationText.js';

/**
 * A worker heartbeats DWPRCWRK every lease/3; one silent for this many leases is taken for gone.
 * The CLI reads the lease from its own DWPRC_LEASE: run it with the workers' settings.
 */
export const LIVE_WORKER_LEASES = 3;

export function liveWorkerWindowMs(leaseMs: number): number {
  return LIVE_WORKER_LEASES * leaseMs;
}

export interface LiveWorker {
  workerId: string;
  host: string | null;
  pid: number | null;
  version: string | null;
  concurrency: number;
  running: number;
}

/** DWPRCWRK rows whose heartbeat (UTC) is within the window. Exported for the Oracle SQL pin. */
export function liveWorkersQuery(db: Kysely<Database>, dialect: Dialect, leaseMs: number) {
  return db
    .selectFrom('dwprcwrk')
    .select(['workerId', 'host', 'pid', 'version', 'concurrency', 'running'])
    .where('heartbeatAt', '>=', dialect.utcNowPlus(-liveWorkerWindowMs(leaseMs)))
    .orderBy('workerId');
}

export async function liveWorkers(dialect: Dialect, leaseMs: number): Promise<LiveWorker[]> {
  const rows = await liveWorkersQuery(dialect.db, dialect, leaseMs).execute();
  return rows.map((w) => ({ ...w, concurrency: Number(w.concurrency ?? 0), running: Number(w.running) }));
}

const SHOWN = 10;

/** doctor: someone must claim requests and fire schedules; silence is a warning, not a failure (a fleet may be scaled to zero). */
export async function workersCheck(dialect: Dialect, leaseMs: number): Promise<Check> {
  const name = 'workers';
  const live = await liveWorkers(dialect, leaseMs);
  if (live.length === 0) {
    return {
      name,
      status: 'warn',
      detail: `no live worker (no DWPRCWRK heartbeat in the last ${durationText(liveWorkerWindowMs(leaseMs) / 1000)}): nothing claims requests or fires schedules; start one with dwprc worker`,
    };
  }
  const listed = live
    .slice(0, SHOWN)
    .map((w) => `${w.workerId} (dwprc ${w.version ?? '?'}, ${w.running}/${w.concurrency} busy)`)
    .join(', ');
  const more = live.length > SHOWN ? ` and ${live.length - SHOWN} more` : '';
  const versions = [...new Set(live.map((w) => w.version ?? '?'))];
  if (versions.length > 1) {
    return { name, status: 'warn', detail: `${live.length} live, running different dwprc versions (${versions.join(', ')}): finish the upgrade; ${listed}${more}` };
  }
  return { name, status: 'ok', detail: `${live.length} live: ${listed}${more}` };
}
