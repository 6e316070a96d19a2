import PgBoss from 'pg-boss';
import pg from 'pg';
import { monotonicMs } from '../lib/clock.js';
import { startPeerFleet } from '../lib/processes.js';
import type { BenchServer } from '../lib/server.js';
import type { QueueSystem } from '../lib/system.js';

/** The queue children/pgBossWorker.ts works on. */
const QUEUE = 'noop';

/** pg-boss 10 on its own database of the same server; schema and queue are created before any timing. */
export async function pgBossSystem(server: BenchServer): Promise<QueueSystem> {
  const database = await server.createDatabase('bench_pgboss');
  // The producer side only: no maintenance or cron in the bench process.
  const boss = new PgBoss({ connectionString: database.url, max: 6, supervise: false, schedule: false });
  boss.on('error', (error) => console.error('[pg-boss producer error]', error));
  await boss.start();
  await boss.createQueue(QUEUE);
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on('error', () => undefined);
  const count = async (text: string) => (await pool.query<{ n: number }>(text, [QUEUE])).rows[0]!.n;

  return {
    name: 'pg-boss',
    url: database.url,
    startWorkers: (options) => startPeerFleet('pgBossWorker.ts', database.url, options),
    async enqueueBatch(n) {
      await boss.insert(Array.from({ length: n }, () => ({ name: QUEUE, data: {} })));
    },
    async enqueueOne(id) {
      await boss.send(QUEUE, { id, t: monotonicMs() });
    },
    unfinished: () => count(`select count(*)::int as n from pgboss.job where name = $1 and state < 'completed'`),
    drained: async () => (await count(`select count(*)::int as n from (select 1 from pgboss.job where name = $1 and state < 'completed' limit 1) u`)) === 0,
    anomalies: () => count(`select count(*)::int as n from pgboss.job where name = $1 and state > 'completed'`),
    async close() {
      await boss.stop({ graceful: false, wait: true });
      await pool.end();
      await database.drop();
    },
  };
}
