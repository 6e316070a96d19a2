/**
 * The database's commit budget, from one process: BENCH_CONNECTIONS connections each committing
 * single-row UPDATEs (autocommit, one row per connection, so no lock waits) as fast as the
 * server allows. Warms up, reports `ready`, starts on `go` and answers `{ commits }` after
 * BENCH_DURATION_MS. Env: BENCH_DATABASE_URL, BENCH_CONNECTIONS, BENCH_FIRST_ROW, BENCH_DURATION_MS.
 */
import pg from 'pg';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
const firstRow = Number(process.env.BENCH_FIRST_ROW ?? 1);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5000);
const UPDATE = 'update bench_commit set n = n + 1 where id = $1';

const clients = await Promise.all(
  Array.from({ length: connections }, async () => {
    const client = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL! });
    await client.connect();
    return client;
  }),
);

async function loop(client: pg.Client, row: number, until: number): Promise<number> {
  let commits = 0;
  while (performance.now() < until) {
    await client.query(UPDATE, [row]);
    commits += 1;
  }
  return commits;
}

const all = (ms: number) => Promise.all(clients.map((c, i) => loop(c, firstRow + i, performance.now() + ms)));

await all(300);
process.send?.('ready');
process.once('message', async (message) => {
  if (message !== 'go') return;
  const counts = await all(durationMs);
  process.send?.({ commits: counts.reduce((a, b) => a + b, 0) });
  await Promise.all(clients.map((c) => c.end()));
  process.disconnect?.();
});
