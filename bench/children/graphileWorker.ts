/**
 * One graphile-worker process for the benchmark: the programmatic run() API with a single no-op
 * task, default options (unbatched job fetching and completion, LISTEN/NOTIFY wake-ups).
 * Env: BENCH_DATABASE_URL, BENCH_CONCURRENCY, optional BENCH_RECORD_DIR.
 */
import { Logger, run } from 'graphile-worker';
import { recordStart } from './recorder.mjs';

// Warnings and errors only, as the dwprc workers log at warn in the benchmark.
const logger = new Logger(() => (level, message) => {
  if (level === 'error' || level === 'warning') console.error(`[graphile-worker ${level}] ${message}`);
});

const runner = await run({
  connectionString: process.env.BENCH_DATABASE_URL!,
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 8),
  noHandleSignals: true,
  logger,
  taskList: {
    noop: async (payload) => {
      const { id, t } = (payload ?? {}) as { id?: number; t?: number };
      if (id !== undefined && t !== undefined) recordStart(id, t);
    },
  },
});
process.send?.('ready');
process.once('SIGTERM', () => {
  runner.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
