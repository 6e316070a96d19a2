/**
 * One pg-boss process for the benchmark: `work()` called BENCH_CONCURRENCY times with batchSize 1
 * (v10 has no teamSize: each work() call is one polling worker that runs one job at a time), at
 * the shortest polling interval pg-boss allows, 0.5 s. Other options are pg-boss defaults.
 * Env: BENCH_DATABASE_URL, BENCH_CONCURRENCY, optional BENCH_RECORD_DIR.
 */
import PgBoss from 'pg-boss';
import { recordStart } from './recorder.mjs';

/** The queue systems/pgBoss.ts creates and fills. */
const QUEUE = 'noop';

const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const boss = new PgBoss({ connectionString: process.env.BENCH_DATABASE_URL!, max: concurrency + 2 });
boss.on('error', (error) => console.error('[pg-boss error]', error));
await boss.start();
for (let i = 0; i < concurrency; i++) {
  await boss.work<{ id?: number; t?: number }>(QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
    const { id, t } = job?.data ?? {};
    if (id !== undefined && t !== undefined) recordStart(id, t);
  });
}
process.send?.('ready');
process.once('SIGTERM', () => {
  boss.stop({ graceful: true, wait: true }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
