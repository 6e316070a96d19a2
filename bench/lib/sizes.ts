/**
 * How big each scenario runs. The full sizes are the issue's; `--quick` shrinks them so the
 * whole bench checks itself in about two minutes (figures from a quick run are not results).
 * Full sizes keep the whole bench within ~15 minutes on a 2-core machine.
 */
export interface Sizes {
  throughput: {
    requests: number;
    processes: number[];
    concurrency: number;
    /**
     * Jobs drained untimed before each drain, on the same workers and database: V8's compiled
     * code in every process, pools, prepared statements, and a table the size of a working queue
     * for the peers' planners (200 left 4 processes' code unoptimized, 50 jobs each, and
     * graphile-worker's table so small that its job fetch sorted the whole burst).
     */
    warmup: number;
    /** pg-boss's warm-up: its rate is its polling (16 jobs/s a process), 5,000 would take minutes. */
    pgBossWarmup: number;
    /** A drain still unfinished after this is stopped and its rate taken over the window. */
    capMs: number;
    /**
     * pg-boss is measured over this window instead: its rate is set by polling (each worker one
     * job per interval), steady after a few seconds, and 20,000 jobs would take it ~20 minutes.
     */
    pgBossWindowMs: number;
  };
  commit: { durationMs: number; connectionsPerProcess: number };
  latency: { rate: number; seconds: number; processes: number; concurrency: number; graceMs: number };
  claim: { finishedRows: number[]; claims: number; batch: number };
  schedule: { schedules: number; workers: number; concurrency: number };
  report: { rows: number };
  python: { runs: number };
}

export const FULL: Sizes = {
  throughput: { requests: 20_000, processes: [1, 2, 4], concurrency: 8, warmup: 5_000, pgBossWarmup: 200, capMs: 120_000, pgBossWindowMs: 30_000 },
  commit: { durationMs: 5_000, connectionsPerProcess: 8 },
  latency: { rate: 200, seconds: 30, processes: 2, concurrency: 8, graceMs: 10_000 },
  claim: { finishedRows: [10_000, 1_000_000], claims: 300, batch: 8 },
  schedule: { schedules: 500, workers: 3, concurrency: 8 },
  report: { rows: 100_000 },
  python: { runs: 40 },
};

export const QUICK: Sizes = {
  throughput: { requests: 2_000, processes: [1, 2, 4], concurrency: 8, warmup: 500, pgBossWarmup: 100, capMs: 6_000, pgBossWindowMs: 6_000 },
  commit: { durationMs: 1_500, connectionsPerProcess: 8 },
  latency: { rate: 200, seconds: 4, processes: 2, concurrency: 8, graceMs: 4_000 },
  claim: { finishedRows: [10_000, 100_000], claims: 100, batch: 8 },
  schedule: { schedules: 500, workers: 3, concurrency: 8 },
  report: { rows: 100_000 },
  python: { runs: 10 },
};
