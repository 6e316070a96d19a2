/**
 * Scenario 6 — memory: the peak RSS of a dwprc worker process while it drains (from scenario 1)
 * and while it writes a `rows`-row CSV report, against the same process idle. The kernel's own
 * peak (VmHWM) is read, reset just before the work starts, so short spikes count.
 */
import { sql } from 'kysely';
import { sleep, waitUntil } from './lib/clock.js';
import { fixed } from './lib/format.js';
import { currentRss, mib, peakRss, resetPeakRss } from './lib/proc.js';
import { stopChildren } from './lib/processes.js';
import type { BenchContext, ScenarioOutput } from './lib/scenario.js';
import type { ThroughputData } from './throughput.js';
import { dwprcSystem, spawnDwprcWorker } from './systems/dwprc.js';

export interface MemoryData {
  /** Highest peak of any dwprc worker during scenario 1's timed drains, MiB; null if it did not run. */
  drainPeakMiB: number | null;
  reportRows: number;
  idleMiB: number | null;
  reportPeakMiB: number | null;
  reportSeconds: number;
}

export async function memory(ctx: BenchContext): Promise<ScenarioOutput<MemoryData>> {
  const { rows } = ctx.sizes.report;
  const drains = (ctx.earlier.throughput?.data as ThroughputData | undefined)?.drains.filter((d) => d.system === 'dwprc') ?? [];
  const drainPeak = drains.length ? Math.max(...drains.flatMap((d) => d.peakRss.map((b) => b ?? 0))) : null;
  const system = await dwprcSystem(ctx.server);
  const { dialect } = system;
  let data: MemoryData;
  try {
    ctx.progress(`memory: ${rows.toLocaleString('en')}-row CSV report`);
    await sql`insert into dwmaprsql (dwmaprsqlid, dwmaprsqlcd, dwmaprsql, curflg) values (1, 'BENCH_REPORT', ${`
      select g as id, 'customer ' || g as name, date '2024-01-01' + (g % 366) as day,
             (g * 1.25)::numeric(14,2) as amount, md5(g::text) as digest
        from generate_series(1, ${Math.trunc(rows)}) g`}, 'Y')`.execute(dialect.db);
    const fleet = await system.startWorkers({ processes: 1, concurrency: 8 });
    const pid = fleet.pids[0]!;
    let seconds: number;
    let idle: number | null;
    let peak: number | null;
    try {
      // A few runs first, so that "idle" is a worker that has done work, not a fresh process.
      await system.enqueueBatch(50);
      await waitUntil(() => system.drained(), 'warm-up runs', 60_000);
      await sleep(1000);
      idle = currentRss(pid);
      resetPeakRss(pid);
      const started = performance.now();
      await sql`insert into dwprcreq (request_id, mapref, request_type, payload)
                values ('report-1', 'REPORTS', 'REPORT', '{"sql_code":"BENCH_REPORT","format":"CSV"}')`.execute(dialect.db);
      await waitUntil(() => system.drained(), 'the report', 300_000, 50);
      seconds = (performance.now() - started) / 1000;
      peak = peakRss(pid);
    } finally {
      await fleet.stop();
    }
    const { rows: result } = await sql<{ status: string; payload: string }>`
      select status, result_payload as payload from dwprcreq where request_id = 'report-1'`.execute(dialect.db);
    const written = result[0]?.payload ? (JSON.parse(result[0].payload) as { rows?: number }).rows : undefined;
    if (result[0]?.status !== 'DONE' || written !== rows) throw new Error(`the report did not write its ${rows} rows: ${result[0]?.status} ${result[0]?.payload}`);
    data = { drainPeakMiB: mib(drainPeak), reportRows: rows, idleMiB: mib(idle), reportPeakMiB: mib(peak), reportSeconds: seconds };
  } finally {
    await system.close();
  }
  return {
    data,
    tables: [
      {
        title: '6. Memory: peak RSS of one dwprc worker process, MiB',
        columns: ['while', 'peak RSS'],
        rows: [
          ['idle, after 50 runs', fixed(data.idleMiB)],
          [`draining scenario 1 (highest of all workers)`, fixed(data.drainPeakMiB)],
          [`writing a ${rows.toLocaleString('en')}-row CSV report (${fixed(data.reportSeconds)} s)`, fixed(data.reportPeakMiB)],
        ],
        notes: ['Linux VmHWM, reset when the timed work starts; "idle" is the current RSS.'],
      },
    ],
    targets: [],
  };
}
