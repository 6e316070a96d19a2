/**
 * Scenario 4 — claim cost vs table size: the median time of one claim (dwprc's claimRequests,
 * batch of 8, as a worker with 8 free slots calls it) with 10k and with 1M finished rows in
 * DWPRCREQ. Finished rows are what a queue that is never pruned accumulates; the claim must not
 * slow down with them. Each claimed batch is then marked DONE (untimed), as a worker would.
 */
import { sql } from 'kysely';
import type { PostgresDialect } from '../src/db/dialects/postgres.js';
import { fixed, ratioText } from './lib/format.js';
import type { BenchContext, ScenarioOutput, Target } from './lib/scenario.js';
import { median, percentile, ratio } from './lib/stats.js';
import { BENCH_MAPREFS, dwprcSystem } from './systems/dwprc.js';

export interface ClaimData {
  points: { finishedRows: number; claims: number; batch: number; medianMs: number; p95Ms: number }[];
  /** median at the largest size ÷ median at the smallest. */
  growth: number | null;
}

/** Finished rows as weeks of history leave them: spread over the MAPREFs and the past 30 days. */
async function addFinishedRows(dialect: PostgresDialect, from: number, to: number): Promise<void> {
  const CHUNK = 250_000;
  for (let start = from; start < to; start += CHUNK) {
    const end = Math.min(to, start + CHUNK);
    await sql`insert into dwprcreq (request_id, mapref, request_type, payload, status, requested_at, claimed_at, claimed_by, completed_at, attempts, prcid, result_payload)
              select 'h' || g, 'BENCH_' || (g % ${BENCH_MAPREFS}), 'IMMEDIATE', '{}', case when g % 50 = 0 then 'FAILED' else 'DONE' end,
                     localtimestamp - (g % 43200) * interval '1 minute', localtimestamp, 'old:1:1', localtimestamp, 1, g,
                     '{"status":"DONE","message":"done"}'
                from generate_series(${start + 1}::int, ${end}::int) g`.execute(dialect.db);
  }
}

async function addNewRows(dialect: PostgresDialect, count: number, tag: string): Promise<void> {
  await sql`insert into dwprcreq (request_id, mapref, request_type, payload)
            select ${tag} || lpad(g::text, 7, '0'), 'BENCH_' || (g % ${BENCH_MAPREFS}), 'IMMEDIATE', '{}' from generate_series(1, ${count}::int) g`.execute(dialect.db);
}

async function timeClaims(dialect: PostgresDialect, claims: number, batch: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < claims; i++) {
    const started = performance.now();
    const rows = await dialect.claimRequests('bench:claim:1', batch, 30_000);
    times.push(performance.now() - started);
    if (rows.length !== batch) throw new Error(`claim ${i} returned ${rows.length} rows, expected ${batch}`);
    await sql`update dwprcreq set status = 'DONE', completed_at = localtimestamp, lease_expires_at = null
               where request_id in (${sql.join(rows.map((r) => r.requestId))})`.execute(dialect.db);
  }
  return times;
}

export async function claimCost(ctx: BenchContext): Promise<ScenarioOutput<ClaimData>> {
  const { finishedRows, claims, batch } = ctx.sizes.claim;
  const system = await dwprcSystem(ctx.server);
  const { dialect } = system;
  const points: ClaimData['points'] = [];
  try {
    let present = 0;
    for (const [i, size] of finishedRows.entries()) {
      ctx.progress(`claim cost: ${size.toLocaleString('en')} finished rows`);
      await addFinishedRows(dialect, present, size);
      present = size;
      const warmup = 20;
      await addNewRows(dialect, (claims + warmup) * batch, `n${i}-`);
      // As autovacuum would have by then; done alike for every size.
      await sql`vacuum analyze dwprcreq`.execute(dialect.db);
      await timeClaims(dialect, warmup, batch);
      const times = await timeClaims(dialect, claims, batch);
      points.push({ finishedRows: size, claims, batch, medianMs: median(times), p95Ms: percentile(times, 95) });
      ctx.progress(`  median ${fixed(median(times), 2)} ms`);
    }
  } finally {
    await system.close();
  }
  const growth = ratio(points.at(-1)?.medianMs, points[0]?.medianMs);
  const targets: Target[] = [{ name: 'claim time growth', goal: '< 2.00×', actual: ratioText(growth), met: growth === null ? null : growth < 2 }];
  return {
    data: { points, growth },
    tables: [
      {
        title: `4. Claim cost vs table size: one claim of ${batch}, ms`,
        columns: ['finished rows in DWPRCREQ', 'median', 'p95', 'vs smallest'],
        rows: points.map((p) => [p.finishedRows.toLocaleString('en'), fixed(p.medianMs, 2), fixed(p.p95Ms, 2), ratioText(ratio(p.medianMs, points[0]!.medianMs))]),
        notes: [`${claims} claims per size after 20 warm-up claims, each followed by marking its rows DONE; finished rows spread over ${BENCH_MAPREFS} MAPREFs and 30 days, 2% FAILED.`],
      },
    ],
    targets,
  };
}
