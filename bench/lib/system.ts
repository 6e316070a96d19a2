/**
 * What the throughput and latency scenarios need from a job queue, so that dwprc and its peers
 * run exactly the same drains: same server, same process counts, same concurrency.
 */
export interface Fleet {
  /** Worker process ids (for memory readings). */
  pids: number[];
  /** Stops every process gracefully; returns each one's peak RSS in bytes (null off Linux). */
  stop(): Promise<(number | null)[]>;
}

export interface FleetOptions {
  processes: number;
  /** Jobs run at once per process. */
  concurrency: number;
  /** BENCH_RECORD_DIR: where the processes write their task start times at exit. */
  recordDir?: string;
}

export interface QueueSystem {
  readonly name: SystemName;
  /** Its database (for CPU metering of the server backends). */
  readonly url: string;
  /** Starts the worker processes; resolves once every one of them is taking work. */
  startWorkers(options: FleetOptions): Promise<Fleet>;
  /** Queues `count` no-op jobs in one transaction (one commit, so every worker sees them at once). */
  enqueueBatch(count: number): Promise<void>;
  /** Queues one no-op job carrying `id` and its enqueue time, taken just before the insert is sent. */
  enqueueOne(id: number): Promise<void>;
  /** Jobs queued and not yet finished. */
  unfinished(): Promise<number>;
  /**
   * Whether none is left: what the drains poll every 50 ms, so it stops at the first unfinished
   * job instead of counting them all (a count of 20,000 queued rows on the machine under test
   * took CPU from the system being measured).
   */
  drained(): Promise<boolean>;
  /** Jobs that failed or ran more than once: must stay 0. */
  anomalies(): Promise<number>;
  /** Closes connections and drops the system's database. */
  close(): Promise<void>;
}

export const SYSTEMS = ['dwprc', 'graphile-worker', 'pg-boss'] as const;
export type SystemName = (typeof SYSTEMS)[number];
