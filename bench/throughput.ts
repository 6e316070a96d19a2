/**
 * Scenario 1 — throughput: `requests` no-op jobs queued in one transaction, drained by 1, 2 and 4
 * worker processes of 8 slots, on dwprc and on both peers, each on a fresh database of the same
 * server. Timing starts when the insert has committed and ends when no job is left unfinished.
 */
import { monotonicMs, sleep, until, waitUntil } from './lib/clock.js';
import { fixed, perSecond, ratioText } from './lib/format.js';
import { startCpuMeter } from './lib/cpu.js';
import { mib, resetPeakRss } from './lib/proc.js';
import { createStartLog } from './lib/starts.js';
import type { BenchContext, ScenarioOutput, Target } from './lib/scenario.js';
import { median, ratio } from './lib/stats.js';
import { SYSTEMS, type SystemName } from './lib/system.js';
import { createSystem } from './systems/index.js';

export interface Drain {
  system: SystemName;
  processes: number;
  concurrency: number;
  requests: number;
  finished: number;
  seconds: number;
  jobsPerSecond: number;
  /** The drain hit the cap: the rate is over the capped window. */
  capped: boolean;
  /** Peak RSS of each worker process during the timed drain, bytes. */
  peakRss: (number | null)[];
  /** Statements the worker processes sent during the timed drain (idle polls and heartbeats included), per job. */
  queriesPerJob: number;
  /** CPU per job during the timed drain, ms: the worker processes, and their server backends (null if remote). */
  cpuPerJob: { workersMs: number; databaseMs: number | null };
}

/** The drains of one system at one process count (--repeat N of them): medians and range. */
export interface Cell {
  system: SystemName;
  processes: number;
  runs: number;
  jobsPerSecond: { median: number; min: number; max: number };
  /** Some drain of the cell hit the cap. */
  capped: boolean;
  queriesPerJob: number;
  cpuPerJob: { workersMs: number; databaseMs: number | null };
}

export interface ThroughputData {
  /** Drains per cell (--repeat). */
  repeat: number;
  /** Every drain, in the order run. */
  drains: Drain[];
  cells: Cell[];
}

/** Median and range of a cell's drains; the cost figures are medians too. */
export function summarize(drains: readonly Drain[]): Cell {
  const rates = drains.map((d) => d.jobsPerSecond);
  const databaseMs = drains.map((d) => d.cpuPerJob.databaseMs);
  return {
    system: drains[0]!.system,
    processes: drains[0]!.processes,
    runs: drains.length,
    jobsPerSecond: { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) },
    capped: drains.some((d) => d.capped),
    queriesPerJob: median(drains.map((d) => d.queriesPerJob)),
    cpuPerJob: {
      workersMs: median(drains.map((d) => d.cpuPerJob.workersMs)),
      databaseMs: databaseMs.every((ms) => ms !== null) ? median(databaseMs as number[]) : null,
    },
  };
}

/** jobs/s as printed: the median, and with several runs their range. */
export function rateText(cell: Cell | undefined): string {
  if (!cell) return 'n/a';
  const { median: m, min, max } = cell.jobsPerSecond;
  return `${perSecond(m)}${cell.capped ? '*' : ''}${cell.runs > 1 ? ` (${perSecond(min)}–${perSecond(max)})` : ''}`;
}

async function drainOnce(ctx: BenchContext, system: SystemName, processes: number): Promise<Drain> {
  const { requests, concurrency } = ctx.sizes.throughput;
  const pgBoss = system === 'pg-boss';
  const capMs = pgBoss ? ctx.sizes.throughput.pgBossWindowMs : ctx.sizes.throughput.capMs;
  const warmup = pgBoss ? ctx.sizes.throughput.pgBossWarmup : ctx.sizes.throughput.warmup;
  const queue = await createSystem[system](ctx.server);
  const log = await createStartLog();
  try {
    const fleet = await queue.startWorkers({ processes, concurrency, recordDir: log.dir });
    let stopped = false;
    try {
      await queue.enqueueBatch(warmup);
      await waitUntil(() => queue.drained(), `${system} warm-up drain`, 120_000);
      for (const pid of fleet.pids) {
        resetPeakRss(pid);
        process.kill(pid, 'SIGUSR2'); // restart the statement count
      }
      await queue.enqueueBatch(requests);
      const started = monotonicMs();
      const cpu = await startCpuMeter(queue.url, fleet.pids);
      const drained = await until(() => queue.drained(), capMs, 50);
      const seconds = (monotonicMs() - started) / 1000;
      const used = await cpu.stop();
      const finished = requests - (drained ? 0 : await queue.unfinished());
      const peakRss = await fleet.stop();
      stopped = true;
      // pg-boss records completions after the handler returns without waiting: let them land.
      await sleep(200);
      const anomalies = await queue.anomalies();
      if (anomalies > 0) throw new Error(`${system}: ${anomalies} jobs failed or ran twice during the drain`);
      const queriesPerJob = (await log.queries()) / finished;
      const cpuPerJob = { workersMs: used.workersMs / finished, databaseMs: used.databaseMs === null ? null : used.databaseMs / finished };
      return { system, processes, concurrency, requests, finished, seconds, jobsPerSecond: finished / seconds, capped: !drained, peakRss, queriesPerJob, cpuPerJob };
    } finally {
      if (!stopped) await fleet.stop().catch(() => undefined);
    }
  } finally {
    await log.remove();
    await queue.close();
  }
}

export async function throughput(ctx: BenchContext): Promise<ScenarioOutput<ThroughputData>> {
  const { processes, requests, concurrency, capMs, pgBossWindowMs, warmup, pgBossWarmup } = ctx.sizes.throughput;
  const repeat = ctx.repeat;
  const drains: Drain[] = [];
  // Systems alternate within each process count and each repetition, so that background load
  // hits them alike.
  for (const n of processes) {
    for (let run = 1; run <= repeat; run++) {
      for (const system of ctx.systems) {
        ctx.progress(`throughput: ${system}, ${n} × ${concurrency}${repeat > 1 ? `, run ${run} of ${repeat}` : ''}`);
        const drain = await drainOnce(ctx, system, n);
        ctx.progress(`  ${perSecond(drain.jobsPerSecond)} jobs/s (${drain.finished} in ${drain.seconds.toFixed(1)} s${drain.capped ? ', capped' : ''}), ${fixed(drain.queriesPerJob)} statements/job, CPU/job ${fixed(drain.cpuPerJob.workersMs, 2)} ms worker + ${fixed(drain.cpuPerJob.databaseMs, 2)} ms database`);
        drains.push(drain);
      }
    }
  }
  const cells = processes.flatMap((n) =>
    ctx.systems.map((system) => summarize(drains.filter((d) => d.system === system && d.processes === n))),
  );
  const cell = (system: SystemName, n: number) => cells.find((c) => c.system === system && c.processes === n);
  const rate = (system: SystemName, n: number) => cell(system, n)?.jobsPerSecond.median ?? null;
  const rows = processes.map((n) => [
    `${n} × ${concurrency}`,
    rateText(cell('dwprc', n)),
    rateText(cell('graphile-worker', n)),
    rateText(cell('pg-boss', n)),
    ratioText(ratio(rate('dwprc', n), rate('graphile-worker', n))),
    ratioText(ratio(rate('dwprc', n), rate('pg-boss', n))),
  ]);
  const vsPeers: Target[] = processes.flatMap((n) =>
    (['graphile-worker', 'pg-boss'] as const).map((peer) => {
      const r = ratio(rate('dwprc', n), rate(peer, n));
      return { name: `throughput ${n}p vs ${peer}`, goal: '≥ 1.00×', actual: ratioText(r), met: r === null ? null : r >= 1 };
    }),
  );
  // More processes must not mean less throughput.
  const scaling: Target[] = processes.slice(1).map((n) => {
    const r = ratio(rate('dwprc', n), rate('dwprc', processes[0]!));
    return { name: `throughput ${n}p vs ${processes[0]}p (dwprc)`, goal: '≥ 0.90×', actual: ratioText(r), met: r === null ? null : r >= 0.9 };
  });
  const first = cell('dwprc', processes[0]!);
  const cpu: Target[] = first
    ? [{ name: `worker CPU per job ${processes[0]}p (dwprc)`, goal: '≤ 0.60 ms', actual: `${fixed(first.cpuPerJob.workersMs, 2)} ms`, met: first.cpuPerJob.workersMs <= 0.6 }]
    : [];
  const dwprcPeak = Math.max(...drains.filter((d) => d.system === 'dwprc').flatMap((d) => d.peakRss.map((b) => b ?? 0)));
  return {
    data: { repeat, drains, cells },
    tables: [
      {
        title: `1. Throughput: ${requests.toLocaleString('en')} no-op jobs, jobs/s (higher is better)${repeat > 1 ? `, median of ${repeat} runs (range)` : ''}`,
        columns: ['processes × slots', 'dwprc', 'graphile-worker', 'pg-boss', 'dwprc ÷ graphile-worker', 'dwprc ÷ pg-boss'],
        rows,
        notes: [
          'dwprc: TypeScript no-op flow, full protocol per request (claim, DWPRCLOG IP→PC, DWJOBLOG row, DONE), 1,000 MAPREFs.',
          'graphile-worker 0.16.6: run() with a no-op task, defaults (unbatched). pg-boss 10.1.6: work() × 8, batchSize 1, polling every 0.5 s (its minimum).',
          `* measured over a window: pg-boss over ${pgBossWindowMs / 1000} s (each of its workers runs one job per polling interval, so its rate is steady at once and 20,000 jobs would take it ~20 min), any other drain stopped after ${capMs / 1000} s.`,
          `Before each timed drain, ${warmup.toLocaleString('en')} jobs (pg-boss: ${pgBossWarmup}) drained untimed by the same workers on the same database.`,
          ...(repeat > 1 ? [`Each cell drained ${repeat} times, the systems taking turns within every run; ratios are of the medians.`] : []),
          `dwprc worker peak RSS during the timed drains: ${fixed(mib(dwprcPeak))} MiB.`,
        ],
      },
      {
        title: `Cost per job during the timed drains: statements sent, CPU of the workers + CPU of their database backends, ms (lower is better)${repeat > 1 ? `, medians of ${repeat} runs` : ''}`,
        columns: ['processes × slots', ...SYSTEMS.flatMap((s) => [`${s} statements`, `${s} CPU`])],
        rows: processes.map((n) => [
          `${n} × ${concurrency}`,
          ...SYSTEMS.flatMap((s) => {
            const c = cell(s, n);
            return c ? [fixed(c.queriesPerJob), `${fixed(c.cpuPerJob.workersMs, 2)} + ${fixed(c.cpuPerJob.databaseMs, 2)}`] : ['n/a', 'n/a'];
          }),
        ]),
        notes: [
          'Statements: every query call at the pg driver in the worker processes (BEGIN/COMMIT, polls, heartbeats, maintenance included).',
          'CPU: /proc user+system time of the worker processes and of the server backends connected to the database; steadier than jobs/s on a shared machine.',
        ],
      },
    ],
    targets: [...vsPeers, ...scaling, ...cpu],
  };
}
