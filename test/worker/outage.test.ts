import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { type EmbeddedCluster, freePort, openEmbeddedCluster } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { insertFlows, sleepingBlock } from '../support/flows.js';
import { insertRequests, statuses } from '../support/requests.js';
import { waitFor } from '../support/waitFor.js';
import { spawnWorker, stopWorkers, type WorkerProcess } from '../support/workerProcess.js';

/**
 * The database goes away for 10 s while workers run, then comes back on the same port. This
 * file runs its own server, because stopping the shared test server would stop everyone's.
 */
describe('database outage', () => {
  let home: string;
  let port: number;
  let cluster: EmbeddedCluster;
  let dialect: PostgresDialect;
  const workers: WorkerProcess[] = [];

  before(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'dwprc-outage-'));
    port = await freePort();
    cluster = await openEmbeddedCluster({ home, port });
    dialect = new PostgresDialect({ url: cluster.url, schema: null, tablePrefix: 'DW', poolMax: 4 });
    await migrate(dialect, 'DW');
  });
  after(async () => {
    await stopWorkers(workers);
    await dialect.close();
    await cluster.stop();
    await rm(home, { recursive: true, force: true });
  });

  test('workers survive a 10 s outage and finish the queue afterwards', async () => {
    const maprefs = Array.from({ length: 20 }, (_, i) => `OUT_${i}`);
    await insertFlows(dialect, maprefs.map((mapref) => ({ mapref, dwlogic: sleepingBlock(mapref, 0.05) })));
    const env = { DWPRC_CONCURRENCY: '4', DWPRC_POLL: '200ms', DWPRC_LEASE: '3s', DWPRC_RETRY_BASE: '200ms' };
    workers.push(spawnWorker(cluster.url, env), spawnWorker(cluster.url, env));
    await insertRequests(dialect, Array.from({ length: 100 }, (_, i) => ({ id: `before${i}`, mapref: maprefs[i % 20]! })));
    await waitFor(async () => Object.values(await statuses(dialect)).filter((s) => s === 'DONE').length >= 20, 'some work done before the outage');

    await cluster.stop();
    const down = Date.now();
    // Measured, not slept: the outage lasts while we check that the workers are still alive.
    await waitFor(() => Date.now() - down >= 10_000 || workers.some((w) => w.child.exitCode !== null), 'ten seconds of outage', 15_000);
    assert.ok(workers.every((w) => w.child.exitCode === null), `no worker crashed while the database was down:\n${workers.map((w) => w.output()).join('\n')}`);
    cluster = await openEmbeddedCluster({ home, port });

    await insertRequests(dialect, Array.from({ length: 20 }, (_, i) => ({ id: `after${i}`, mapref: maprefs[i]!, at: 1000 + i })));
    await waitFor(async () => {
      const all = Object.values(await statuses(dialect));
      return all.length === 120 && all.every((s) => s === 'DONE');
    }, 'every request done after the outage', 90_000);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from dwprclog where status = 'IP'`.execute(dialect.db);
    assert.equal(rows[0]!.n, 0, 'no run left IP');
    await stopWorkers(workers);
    assert.deepEqual(workers.map((w) => w.child.exitCode), [0, 0], workers.map((w) => w.output()).join('\n'));
  });
});
