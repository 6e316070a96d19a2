/**
 * Scenario 7 — python: what a Python job flow costs per run over a DWLOGIC block. The same
 * engine path (executeRequest, as a worker slot calls it) runs `runs` no-op runs of each kind,
 * one after another; the difference is the child's start-up (interpreter, driver import, its
 * own connection). The child's peak RSS is its own getrusage maximum, printed by the flow.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { PostgresDialect } from '../src/db/dialects/postgres.js';
import { migrate } from '../src/db/migrate.js';
import { executeRequest } from '../src/engine/executeRequest.js';
import type { ExecutionContext } from '../src/engine/execution.js';
import { parseRequest } from '../src/queue/parseRequest.js';
import { fixed } from './lib/format.js';
import type { BenchContext, ScenarioOutput } from './lib/scenario.js';
import { median, percentile } from './lib/stats.js';

export interface PythonData {
  interpreter: string;
  runs: number;
  blockMs: { median: number; p95: number };
  pythonMs: { median: number; p95: number };
  childPeakMiB: number | null;
}

const NOOP_PYTHON = `import resource


def execute_job(metadata_connection, source_connection, target_connection, session_params):
    print(f"maxrss_kib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
    return {}
`;
const NOOP_BLOCK = 'DO $$ BEGIN NULL; END $$';

export async function pythonFlow(ctx: BenchContext): Promise<ScenarioOutput<PythonData>> {
  const interpreter = process.env.DWPRC_PYTHON ?? '/usr/bin/python3';
  const { runs } = ctx.sizes.python;
  const database = await ctx.server.createDatabase('bench_python');
  const dialect = new PostgresDialect({ url: database.url, schema: null, tablePrefix: 'DW', poolMax: 4, applicationName: 'bench' });
  const rss: number[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const match of chunk.toString('utf8').matchAll(/maxrss_kib=(\d+)/g)) rss.push(Number(match[1]) * 1024);
      done();
    },
  });
  const config = { ...loadConfig({ DWPRC_DATABASE_URL: database.url, DWPRC_TIMEZONE: 'UTC' }) };
  config.python = { ...config.python, interpreter };
  const context: ExecutionContext = {
    dialect,
    config,
    log: pino({ level: 'info' }, sink),
    claimedBy: 'bench:1:slot0',
    control: { stop: new AbortController().signal, kill: new AbortController().signal },
  };
  let sequence = 0;
  const timeRuns = async (mapref: string, dwlogic: string): Promise<number[]> => {
    await dialect.db.insertInto('dwjobflw').values({ jobflwid: ++sequence, jobid: 1, mapref, dwlogic, stflg: 'A', curflg: 'Y' }).execute();
    const times: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      const requestId = `${mapref}-${i}`;
      await dialect.db.updateTable('dwprcreq').set({ status: 'DONE' }).where('mapref', '=', mapref).where('status', '=', 'CLAIMED').execute();
      await dialect.db.insertInto('dwprcreq').values({ requestId, mapref, requestType: 'IMMEDIATE', payload: '{}', status: 'CLAIMED', claimedBy: context.claimedBy, attempts: 1 }).execute();
      const row = await dialect.db.selectFrom('dwprcreq').select(['requestId', 'mapref', 'requestType', 'payload', 'attempts', 'prcid', 'stopRequested']).where('requestId', '=', requestId).executeTakeFirstOrThrow();
      const parsed = parseRequest(row);
      if (!parsed.ok || parsed.request.type !== 'IMMEDIATE') throw new Error(`bench request unreadable: ${JSON.stringify(parsed)}`);
      const started = performance.now();
      const outcome = await executeRequest(parsed.request, context);
      const ms = performance.now() - started;
      if (outcome.status !== 'DONE') throw new Error(`${mapref} run ${i}: ${outcome.result.message}`);
      // The first two warm caches and the pool; they are not counted.
      if (i >= 2) times.push(ms);
    }
    return times;
  };
  let data: PythonData;
  try {
    await migrate(dialect, 'DW');
    ctx.progress(`python: ${runs} no-op DWLOGIC runs, then ${runs} no-op Python runs (${interpreter})`);
    const block = await timeRuns('BENCH_BLOCK', NOOP_BLOCK);
    const python = await timeRuns('BENCH_PYTHON', NOOP_PYTHON);
    const stats = (values: number[]) => ({ median: median(values), p95: percentile(values, 95) });
    data = { interpreter, runs, blockMs: stats(block), pythonMs: stats(python), childPeakMiB: rss.length ? Math.round((Math.max(...rss) / 1024 / 1024) * 10) / 10 : null };
  } finally {
    await dialect.close();
    await database.drop();
  }
  return {
    data,
    tables: [
      {
        title: '7. Python job flows: cost of a no-op run, one after another',
        columns: ['flow', 'ms per run (median)', 'p95', 'peak RSS of the child, MiB'],
        rows: [
          ['DWLOGIC block (in the worker)', fixed(data.blockMs.median), fixed(data.blockMs.p95), '—'],
          [`Python child (${data.interpreter})`, fixed(data.pythonMs.median), fixed(data.pythonMs.p95), fixed(data.childPeakMiB)],
          ['start-up a Python run adds', fixed(data.pythonMs.median - data.blockMs.median), '', ''],
        ],
        notes: [`${runs} runs each after 2 warm-up runs; the engine path a worker slot takes, in process; peak RSS from the child's getrusage.`],
      },
    ],
    targets: [],
  };
}
