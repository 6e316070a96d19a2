/**
 * Scenario 5 — schedule burst: `schedules` daily schedules due in the same minute, fired by 3
 * worker processes (every worker ticks; none leads). Lags by the database clock from the
 * occurrence (NXT_RUN_DT when it fired, LST_RUN_DT after) to the request's insert
 * (DWPRCREQ.REQUESTED_AT) and to its run's start (DWPRCLOG.STRTDT).
 */
import { type RawBuilder, sql } from 'kysely';
import { sleep, waitUntil } from './lib/clock.js';
import { fixed } from './lib/format.js';
import { stopChildren } from './lib/processes.js';
import type { BenchContext, ScenarioOutput, Target } from './lib/scenario.js';
import { spread, type Spread } from './lib/stats.js';
import type { PostgresDialect } from '../src/db/dialects/postgres.js';
import { dwprcSystem, spawnDwprcWorker } from './systems/dwprc.js';

export interface ScheduleData {
  schedules: number;
  workers: number;
  concurrency: number;
  /** Occurrence → request committed (first seen by a poll every POLL_MS), ms: the target's measure. */
  visibleMs: Spread;
  /** Occurrence → REQUESTED_AT (the start of the transaction that fired it), ms. */
  insertMs: Spread;
  /** Occurrence → run started, ms. */
  startMs: Spread;
}

/** The occurrence is the first whole minute at least this far ahead: time for workers to start and initialise NXT_RUN_DT. */
const LEAD_MS = 15_000;

/** How often the bench looks for new firings; the resolution of `visibleMs`. */
const POLL_MS = 20;

/**
 * Polls for the firings' requests from just before the occurrence until all are there and
 * returns, per request, when a poll first saw it, ms after the occurrence by the database clock.
 * REQUESTED_AT alone would flatter a batched firing: it is the start of the transaction, and
 * the row is claimable only at its commit.
 */
async function watchFirings(dialect: PostgresDialect, occurrence: Date, count: number): Promise<number[]> {
  const seen = new Map<string, number>();
  const deadline = Date.now() + 120_000;
  while (seen.size < count) {
    if (Date.now() > deadline) throw new Error(`only ${seen.size} of ${count} firings appeared within 120 s`);
    const { rows } = await sql<{ id: string; ms: number }>`
      select request_id as id, extract(epoch from (clock_timestamp() - (${occurrence}::timestamp at time zone 'UTC'))) * 1000 as ms
        from dwprcreq where request_id like 'S%'`.execute(dialect.db);
    for (const r of rows) if (!seen.has(r.id)) seen.set(r.id, Number(r.ms));
    await sleep(POLL_MS);
  }
  return [...seen.values()];
}

export async function scheduleBurst(ctx: BenchContext): Promise<ScenarioOutput<ScheduleData>> {
  const { schedules, workers, concurrency } = ctx.sizes.schedule;
  const system = await dwprcSystem(ctx.server);
  const { dialect } = system;
  const scalar = async <T>(query: RawBuilder<{ v: T }>) => (await query.execute(dialect.db)).rows[0]!.v;
  let data: ScheduleData;
  try {
    // Wall times in UTC throughout: the workers' business zone is pinned to it below.
    const nowUtc = await scalar(sql<{ v: Date }>`select now() at time zone 'UTC' as v`);
    const occurrence = new Date(Math.ceil((nowUtc.getTime() + LEAD_MS) / 60_000) * 60_000);
    const hh = String(occurrence.getUTCHours()).padStart(2, '0');
    const mi = String(occurrence.getUTCMinutes()).padStart(2, '0');
    // As the web UI inserts schedules: current rows without NXT_RUN_DT, which the tick fills in.
    await sql`insert into dwjobsch (jobschid, mapref, frqcd, frqhh, frqmi, strtdt, stflg, curflg, schflg, reccrdt, recupdt)
              select g, 'BENCH_' || g, 'DL', ${hh}, ${mi}, ${new Date(Date.UTC(occurrence.getUTCFullYear(), occurrence.getUTCMonth(), occurrence.getUTCDate()))},
                     'A', 'Y', 'Y', localtimestamp, localtimestamp
                from generate_series(0, ${schedules - 1}::int) g`.execute(dialect.db);
    ctx.progress(`schedule burst: ${schedules} schedules due at ${occurrence.toISOString()}, ${workers} workers × ${concurrency}`);
    let visibleMs: number[] = [];
    const env = { DWPRC_CONCURRENCY: String(concurrency), DWPRC_FLOWS_DIR: system.flowsDir, DWPRC_TIMEZONE: 'UTC' };
    const children = Array.from({ length: workers }, () => spawnDwprcWorker(system.url, env));
    try {
      await waitUntil(
        async () => (await scalar(sql<{ v: number }>`select count(*)::int as v from dwjobsch where nxt_run_dt = ${occurrence}`)) === schedules,
        'every schedule to get its NXT_RUN_DT',
        LEAD_MS - 2000,
      );
      await sleep(Math.max(0, occurrence.getTime() - Date.now() - 500));
      visibleMs = await watchFirings(dialect, occurrence, schedules);
      await waitUntil(
        async () => (await scalar(sql<{ v: number }>`select count(*)::int as v from dwprcreq where request_id like 'S%' and status = 'DONE'`)) === schedules,
        'every firing to run',
        180_000,
        200,
      );
    } finally {
      await stopChildren(children);
    }
    const { rows } = await sql<{ ins: number; st: number }>`
      select extract(epoch from (r.requested_at - o.localat)) * 1000 as ins,
             extract(epoch from (l.strtdt - o.localat)) * 1000 as st
        from dwprcreq r
        join dwjobsch s on s.mapref = r.mapref and s.curflg = 'Y'
        join dwprclog l on l.prcid = r.prcid
        cross join lateral (select (s.lst_run_dt at time zone 'UTC') at time zone current_setting('TimeZone') as localat) o
       where r.request_id like 'S%'`.execute(dialect.db);
    if (rows.length !== schedules) throw new Error(`expected ${schedules} fired runs, found ${rows.length}`);
    data = {
      schedules,
      workers,
      concurrency,
      visibleMs: spread(visibleMs),
      insertMs: spread(rows.map((r) => Number(r.ins))),
      startMs: spread(rows.map((r) => Number(r.st))),
    };
  } finally {
    await system.close();
  }
  ctx.progress(`  committed p99 ${fixed(data.visibleMs.p99)} ms, start lag p99 ${fixed(data.startMs.p99)} ms`);
  const targets: Target[] = [{ name: 'schedule burst insert lag p99', goal: '< 1000 ms', actual: `${fixed(data.visibleMs.p99, 0)} ms`, met: data.visibleMs.p99 < 1000 }];
  return {
    data,
    tables: [
      {
        title: `5. Schedule burst: ${schedules} schedules due in the same minute, ${workers} workers × ${concurrency}, ms after the occurrence`,
        columns: ['lag to', 'first', 'p50', 'p99', 'max'],
        rows: [
          [`request committed (seen by a ${POLL_MS} ms poll)`, fixed(data.visibleMs.min, 0), fixed(data.visibleMs.p50, 0), fixed(data.visibleMs.p99, 0), fixed(data.visibleMs.max, 0)],
          ['REQUESTED_AT (its transaction\'s start)', fixed(data.insertMs.min, 0), fixed(data.insertMs.p50, 0), fixed(data.insertMs.p99, 0), fixed(data.insertMs.max, 0)],
          ['run started (DWPRCLOG.STRTDT)', fixed(data.startMs.min, 0), fixed(data.startMs.p50, 0), fixed(data.startMs.p99, 0), fixed(data.startMs.max, 0)],
        ],
        notes: [
          'Database clock throughout; DWPRC_TICK at its default (1 s, jittered). The target is on "committed": a request can be claimed only from its commit.',
        ],
      },
    ],
    targets,
  };
}
