import { Logger, runMigrations } from 'graphile-worker';
import pg from 'pg';
import { monotonicMs } from '../lib/clock.js';
import { startPeerFleet } from '../lib/processes.js';
import type { BenchServer } from '../lib/server.js';
import type { QueueSystem } from '../lib/system.js';

const quiet = new Logger(() => () => undefined);

/** graphile-worker 0.16 on its own database of the same server; its schema is installed before any timing. */
export async function graphileWorkerSystem(server: BenchServer): Promise<QueueSystem> {
  const database = await server.createDatabase('bench_graphile');
  await runMigrations({ connectionString: database.url, logger: quiet });
  const pool = new pg.Pool({ connectionString: database.url, max: 6 });
  pool.on('error', () => undefined);
  const count = async (text: string) => (await pool.query<{ n: number }>(text)).rows[0]!.n;

  return {
    name: 'graphile-worker',
    url: database.url,
    startWorkers: (options) => startPeerFleet('graphileWorker.ts', database.url, options),
    async enqueueBatch(n) {
      await pool.query(
        `select count(*) from graphile_worker.add_jobs(array(
           select row('noop', '{}'::json, null, null, null, null, null, null)::graphile_worker.job_spec
             from generate_series(1, $1::int)))`,
        [n],
      );
    },
    async enqueueOne(id) {
      await pool.query(`select 1 from graphile_worker.add_job('noop', $1::json)`, [JSON.stringify({ id, t: monotonicMs() })]);
    },
    // Finished jobs are deleted; failed ones stay with last_error set.
    unfinished: () => count(`select count(*)::int as n from graphile_worker._private_jobs`),
    drained: async () => (await count(`select count(*)::int as n from (select 1 from graphile_worker._private_jobs limit 1) u`)) === 0,
    anomalies: () => count(`select count(*)::int as n from graphile_worker._private_jobs where last_error is not null`),
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}
