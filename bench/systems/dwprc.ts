import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { migrate } from '../../src/db/migrate.js';
import { waitUntil, monotonicMs } from '../lib/clock.js';
import { benchMapref, writeNoopFlows } from '../lib/noopFlows.js';
import { DWPRC_BIN, spawnNode, stopChildren, type Child } from '../lib/processes.js';
import type { BenchServer } from '../lib/server.js';
import type { Fleet, FleetOptions, QueueSystem } from '../lib/system.js';

/** Requests are spread over this many MAPREFs: dwprc runs one execution per MAPREF at a time. */
export const BENCH_MAPREFS = 1000;

/** `dwprc worker` processes from the built bin, configured by environment as in production. */
export function spawnDwprcWorker(url: string, env: Record<string, string>): Child {
  // BENCH_CPU_PROF_DIR: each worker writes a V8 CPU profile there at exit (see the README).
  const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  return spawnNode([DWPRC_BIN, 'worker'], { DWPRC_DATABASE_URL: url, DWPRC_LOG_LEVEL: 'warn', ...env }, profile);
}

/** A dwprc database with the schema migrated and the no-op flows written, before any timing. */
export async function dwprcSystem(server: BenchServer): Promise<QueueSystem & { dialect: PostgresDialect; flowsDir: string }> {
  const database = await server.createDatabase('bench_dwprc');
  const dialect = new PostgresDialect({ url: database.url, schema: null, tablePrefix: 'DW', poolMax: 6, applicationName: 'bench' });
  await migrate(dialect, 'DW');
  const flowsDir = await writeNoopFlows(BENCH_MAPREFS);
  const reportDir = await mkdtemp(path.join(tmpdir(), 'dwprc-bench-reports-'));
  let batch = 0;
  const count = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(dialect.db)).rows[0]!.n;

  return {
    name: 'dwprc',
    dialect,
    url: database.url,
    flowsDir,
    async startWorkers(options: FleetOptions): Promise<Fleet> {
      const env = {
        DWPRC_CONCURRENCY: String(options.concurrency),
        DWPRC_FLOWS_DIR: flowsDir,
        DWPRC_REPORT_DIR: reportDir,
        ...(options.recordDir ? { BENCH_RECORD_DIR: options.recordDir } : {}),
      };
      const children = Array.from({ length: options.processes }, () => spawnDwprcWorker(database.url, env));
      // Ready = registered in DWPRCWRK and LISTENing (the listener connects right after registering).
      await waitUntil(async () => {
        const exited = children.find((c) => c.child.exitCode !== null);
        if (exited) throw new Error(`a dwprc worker exited at start:\n${exited.output()}`);
        const workers = await count(sql`select count(*)::int as n from dwprcwrk`);
        const listening = await count(sql`select count(*)::int as n from pg_stat_activity
                                            where datname = current_database() and application_name like 'dwprc:%:listen'`);
        return workers === options.processes && listening === options.processes;
      }, 'dwprc workers to start', 60_000);
      return { pids: children.map((c) => c.pid), stop: () => stopChildren(children) };
    },
    async enqueueBatch(n) {
      batch += 1;
      // Zero-padded ids: one transaction gives every row the same REQUESTED_AT, so the id orders
      // the queue, and consecutive rows must cycle through the MAPREFs as a real mix would.
      await sql`insert into dwprcreq (request_id, mapref, request_type, payload)
                select ${`b${batch}-`} || lpad(g::text, 7, '0'), 'BENCH_' || (g % ${BENCH_MAPREFS}), 'IMMEDIATE', '{}'
                  from generate_series(1, ${n}::int) g`.execute(dialect.db);
    },
    async enqueueOne(id) {
      // As the web UI writes a row: one autocommitted insert, woken by the table's trigger.
      const payload = JSON.stringify({ param1: String(id), param2: String(monotonicMs()) });
      await sql`insert into dwprcreq (request_id, mapref, request_type, payload)
                values (${`l${id}`}, ${benchMapref(id % BENCH_MAPREFS)}, 'IMMEDIATE', ${payload})`.execute(dialect.db);
    },
    unfinished: () => count(sql`select count(*)::int as n from dwprcreq where status in ('NEW', 'CLAIMED')`),
    drained: async () => (await count(sql`select count(*)::int as n from (select 1 from dwprcreq where status in ('NEW', 'CLAIMED') limit 1) u`)) === 0,
    anomalies: () =>
      count(sql`select ((select count(*) from dwprcreq where status not in ('NEW', 'CLAIMED', 'DONE'))
                      + (select count(*) from dwprclog where status <> 'PC')
                      + abs((select count(*) from dwprclog) - (select count(*) from dwprcreq where status = 'DONE'))
                      + abs((select count(*) from dwjoblog) - (select count(*) from dwprclog)))::int as n`),
    async close() {
      await dialect.close();
      await database.drop();
      await Promise.all([flowsDir, reportDir].map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}
