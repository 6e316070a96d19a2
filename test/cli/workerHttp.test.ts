import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../src/db/embedded.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitFor } from '../support/waitFor.js';
import { serving, spawnWorker, stopWorkers, type WorkerProcess } from '../support/workerProcess.js';

/** The worker process with --http: the endpoints a process manager and Prometheus use. */
describe('dwprc worker --http', () => {
  let t: TestDatabase;
  let worker: WorkerProcess;
  let base: string;
  before(async () => {
    t = await createTestDatabase();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    worker = spawnWorker(t.url, { DWPRC_POLL: '200ms' }, ['--http', String(port)]);
    await waitFor(async () => (await fetch(`${base}/healthz`).then((r) => r.status, () => 0)) === 200, 'the health server', 30_000);
  });
  after(async () => {
    await stopWorkers([worker]);
    await t.drop();
  });

  test('/healthz, /readyz and /metrics answer; unknown paths are 404', async () => {
    assert.equal(await (await fetch(`${base}/healthz`)).text(), 'ok\n');
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, 'ready');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const name of ['dwprc_queue_depth', 'dwprc_slots_free', 'dwprc_requests_claimed_total', 'dwprc_lease_reaps_total']) {
      assert.match(metrics, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    assert.equal((await fetch(`${base}/nothing`)).status, 404);
  });

  test('SIGTERM: the process exits 0 and the port is closed', async () => {
    // The port answers before start-up is over; a SIGTERM then would find no handler yet.
    await serving(t.dialect, worker);
    worker.signal('SIGTERM');
    assert.equal(await worker.exited, 0, worker.output());
    await assert.rejects(fetch(`${base}/healthz`));
  });
});
