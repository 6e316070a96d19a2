// Preloaded (node --import) into every worker process the bench starts, dwprc's and the peers':
// counts the statements each process sends through `pg` (all three use it), so that round trips
// per job can be compared without the noise of timings. SIGUSR2 restarts the count (the bench
// sends it when the timed part begins); the count is written at exit to BENCH_RECORD_DIR.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const dir = process.env.BENCH_RECORD_DIR;
if (dir) {
  let queries = 0;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(...args) {
    queries += 1;
    return query.apply(this, args);
  };
  process.on('SIGUSR2', () => (queries = 0));
  process.on('exit', () => writeFileSync(path.join(dir, `${process.pid}.queries.json`), JSON.stringify({ queries })));
}
