import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Dialect, ErrorClass } from '../db/dialects/dialect.js';
import { errorMessage } from '../errors.js';
import { REQUEST_TYPES } from '../queue/request.js';
import type { Disposition } from '../worker/processRequest.js';
import type { Logger } from './logger.js';
import { countQueueDepth, QUEUE_STATUSES, type QueueDepth } from './queueDepth.js';
import { TimeoutError, withTimeout } from './withTimeout.js';

/** What a worker reports; every method is cheap and never throws. */
export interface Metrics {
  /** Served at /metrics; its own registry, never prom-client's global one. */
  readonly registry: Registry;
  claimed(requestType: string | null): void;
  /** A claimed request settled; runs that ended (not released or lost) feed the duration histogram. */
  finished(requestType: string | null, status: Disposition, durationSeconds: number, mapref: string): void;
  reaped(count: number): void;
  /** How late the latest schedule firing was against its NXT_RUN_DT. */
  tickLag(seconds: number): void;
  dbError(cls: ErrorClass): void;
  slots(busy: number, free: number): void;
}

export interface MetricsOptions {
  log?: Logger;
  /** A scrape waits this long for the queue-depth query, then reports the last value read. */
  depthTimeoutMs?: number;
  /** Node.js process metrics (CPU, memory, event loop lag), unprefixed as dashboards expect. */
  defaultMetrics?: boolean;
}

/** 0.1 s to 6 h: report queries and hour-long history loads in one histogram. */
export const RUN_DURATION_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400, 21_600];

/** Request types that execute something: the ones a run duration means anything for. */
const EXECUTED: readonly string[] = ['IMMEDIATE', 'HISTORY', 'REPORT'];
/** A run that reached its end; RELEASED and LOST runs were cut short. */
const ENDED: readonly Disposition[] = ['DONE', 'FAILED', 'CANCELLED', 'RETRY'];

/** REQUEST_TYPE as the worker parses it; anything the UI wrote that is not a type is OTHER (bounded labels). */
export function requestTypeLabel(raw: string | null): string {
  const type = (raw ?? '').trim().toUpperCase();
  return (REQUEST_TYPES as readonly string[]).includes(type) ? type : 'OTHER';
}

/**
 * The queue depth, read on scrape. Concurrent scrapes share one query; a database slower than
 * the timeout, or down, leaves the last value in place, and its age says how stale it is
 * (counted from start-up until the first read succeeds, so an alert on it fires either way).
 */
class DepthSampler {
  #last: QueueDepth | null = null;
  #readAt = Date.now();
  #inFlight: Promise<void> | null = null;

  constructor(
    private readonly dialect: Dialect,
    private readonly timeoutMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  async sample(): Promise<{ depth: QueueDepth | null; ageSeconds: number }> {
    this.#inFlight ??= countQueueDepth(this.dialect)
      .then((depth) => {
        this.#last = depth;
        this.#readAt = Date.now();
      }, this.onError)
      .finally(() => {
        this.#inFlight = null;
      });
    await withTimeout(this.#inFlight, this.timeoutMs, 'queue depth query').catch(() => undefined);
    return { depth: this.#last, ageSeconds: (Date.now() - this.#readAt) / 1000 };
  }
}

export function createMetrics(dialect: Dialect, options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const claimed = new Counter({ name: 'dwprc_requests_claimed_total', help: 'Requests claimed by this worker, by request type.', labelNames: ['type'], registers });
  const finished = new Counter({
    name: 'dwprc_requests_finished_total',
    help: 'Claimed requests settled by this worker, by type and disposition (DONE, FAILED, CANCELLED, RETRY, RELEASED, LOST).',
    labelNames: ['type', 'status'],
    registers,
  });
  const duration = new Histogram({
    name: 'dwprc_run_duration_seconds',
    help: 'Time from claim to end of IMMEDIATE, HISTORY and REPORT runs, by MAPREF.',
    labelNames: ['mapref'],
    buckets: RUN_DURATION_BUCKETS,
    registers,
  });
  const reaps = new Counter({ name: 'dwprc_lease_reaps_total', help: 'Expired leases this worker reaped (requests whose worker was lost).', registers });
  const tickLag = new Gauge({ name: 'dwprc_scheduler_tick_lag_seconds', help: 'How late the latest schedule firing was against its NXT_RUN_DT.', registers });
  const dbErrors = new Counter({
    name: 'dwprc_database_errors_total',
    help: 'Database errors seen by this worker: transient (unreachable), conflict (retried), fatal.',
    labelNames: ['class'],
    registers,
  });
  const slotsBusy = new Gauge({ name: 'dwprc_slots_busy', help: 'Worker slots running a request.', registers });
  const slotsFree = new Gauge({ name: 'dwprc_slots_free', help: 'Worker slots free to claim.', registers });

  const countError = (cls: ErrorClass) => dbErrors.inc({ class: cls });
  const sampler = new DepthSampler(dialect, options.depthTimeoutMs ?? 1000, (error) => {
    if (!(error instanceof TimeoutError)) countError(dialect.classifyError(error));
    options.log?.debug({ err: errorMessage(error) }, 'queue depth query failed; /metrics keeps the last value');
  });
  const depth: Gauge<'status'> = new Gauge({
    name: 'dwprc_queue_depth',
    help: 'DWPRCREQ rows waiting (NEW) and running (CLAIMED), read from the database at scrape time.',
    labelNames: ['status'],
    registers,
    async collect() {
      const { depth: counts } = await sampler.sample();
      for (const status of QUEUE_STATUSES) if (counts) depth.set({ status }, counts[status]);
    },
  });
  const depthAge: Gauge = new Gauge({
    name: 'dwprc_queue_depth_age_seconds',
    help: 'Seconds since dwprc_queue_depth was last read (since start-up before the first read): grows while the database is slow or unreachable.',
    registers,
    async collect() {
      depthAge.set((await sampler.sample()).ageSeconds);
    },
  });

  return {
    registry,
    claimed: (type) => claimed.inc({ type: requestTypeLabel(type) }),
    finished(type, status, durationSeconds, mapref) {
      const label = requestTypeLabel(type);
      finished.inc({ type: label, status });
      if (EXECUTED.includes(label) && ENDED.includes(status) && Number.isFinite(durationSeconds) && durationSeconds >= 0) {
        duration.observe({ mapref }, durationSeconds);
      }
    },
    reaped: (count) => {
      if (count > 0) reaps.inc(count);
    },
    tickLag: (seconds) => tickLag.set(Math.max(0, seconds)),
    dbError: countError,
    slots(busy, free) {
      slotsBusy.set(busy);
      slotsFree.set(free);
    },
  };
}
