import { stat } from 'node:fs/promises';
import { runReport } from '../../src/engine/report.js';
import { defineReport, reportHarness, reportRequest } from './reportContext.js';
import type { TestDatabase } from './database.js';

/**
 * For benchmarks: runs a generated report of `rows` rows (about 100 bytes of CSV each) and
 * samples the process memory after every batch. Run node with --expose-gc for a steady
 * baseline. A streamed report's peak stays near the baseline whatever `rows` is.
 */
export interface ReportMemory {
  rows: number;
  fileBytes: number;
  ms: number;
  /** heapUsed + external (incl. array buffers) before the report, in bytes. */
  baseline: number;
  /** Highest heapUsed + external seen after any batch. */
  peak: number;
  peakRss: number;
}

const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

export async function measureReportMemory(t: TestDatabase, options: { rows: number; format?: 'CSV' | 'XLSX'; batchSize?: number }): Promise<ReportMemory> {
  const code = `MEM_${options.rows}`;
  await defineReport(
    t,
    code,
    `select g as id, 'customer ' || g as name, date '2024-01-01' + (g % 366) as day,
            (g * 1.25)::numeric(14,2) as amount, md5(g::text) as digest
       from generate_series(1, ${Math.trunc(options.rows)}) g`,
  );
  const h = await reportHarness(t);
  globalThis.gc?.();
  const baseline = used();
  let peak = baseline;
  let peakRss = process.memoryUsage().rss;
  const started = performance.now();
  const outcome = await runReport(reportRequest({ sqlCode: code, format: options.format ?? 'CSV' }), h.ctx, {
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    onProgress: () => {
      peak = Math.max(peak, used());
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    },
  });
  const ms = performance.now() - started;
  if (outcome.status !== 'DONE') throw new Error(outcome.result.message);
  const fileBytes = (await stat(outcome.result.file as string)).size;
  return { rows: outcome.result.rows as number, fileBytes, ms, baseline, peak, peakRss };
}
