import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { startHealthServer, type HealthServer } from '../../src/observe/httpServer.js';
import { createLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { createReadinessCheck, type ReadinessCheck } from '../../src/observe/readiness.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertRequests } from '../support/requests.js';

const log = createLogger({ level: process.env.TEST_LOG ?? 'silent', destination: process.stderr, pretty: false });

describe('health server', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());

  async function serve(ready: ReadinessCheck, fn: (base: string, server: HealthServer) => Promise<void>): Promise<void> {
    const metrics = createMetrics(t.dialect, { defaultMetrics: false });
    const server = await startHealthServer({ port: 0, host: '127.0.0.1', ready, metrics: metrics.registry, log });
    try {
      await fn(`http://127.0.0.1:${server.port}`, server);
    } finally {
      await server.close();
    }
  }

  test('/healthz, /readyz and /metrics on a healthy database; 404 and 405 otherwise', async () => {
    await insertRequests(t.dialect, [{ id: 'q1' }]);
    await serve(createReadinessCheck({ dialect: t.dialect, tablePrefix: 'DW' }), async (base) => {
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(await health.text(), 'ok\n');

      const ready = await fetch(`${base}/readyz`);
      assert.equal(ready.status, 200);
      assert.equal(await ready.text(), 'ready\n');
      const json = await fetch(`${base}/readyz`, { headers: { accept: 'application/json' } });
      assert.equal(json.headers.get('content-type'), 'application/json');
      assert.deepEqual(await json.json(), { ready: true });

      const metrics = await fetch(`${base}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
      assert.match(await metrics.text(), /^dwprc_queue_depth\{status="NEW"\} 1$/m);

      const missing = await fetch(`${base}/status`);
      assert.equal(missing.status, 404);
      await missing.body?.cancel();
      const post = await fetch(`${base}/metrics`, { method: 'POST' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD');
      await post.body?.cancel();
      const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), '');
    });
  });

  test('/readyz is 503 with the reason, in text or JSON; a check that throws is a reason too', async () => {
    const down = new PostgresDialect({ url: 'postgres://dw:topsecret@127.0.0.1:1/none', schema: null, tablePrefix: 'DW', poolMax: 1 });
    try {
      await serve(createReadinessCheck({ dialect: down, tablePrefix: 'DW' }), async (base) => {
        const text = await fetch(`${base}/readyz`);
        assert.equal(text.status, 503);
        assert.match(await text.text(), /^not ready: database unreachable: .*ECONNREFUSED.*\n$/);
        const json = await fetch(`${base}/readyz?format=json`);
        assert.equal(json.status, 503);
        const body = (await json.json()) as { ready: boolean; reason: string };
        assert.equal(body.ready, false);
        assert.match(body.reason, /^database unreachable/);
        // The process itself is alive.
        assert.equal((await fetch(`${base}/healthz`)).status, 200);
      });
    } finally {
      await down.close();
    }
    await serve(async () => {
      throw new Error('worker is shutting down\nstack…');
    }, async (base) => {
      const r = await fetch(`${base}/readyz`);
      assert.equal(r.status, 503);
      assert.equal(await r.text(), 'not ready: worker is shutting down\n');
    });
  });

  test('close() ends kept-alive scraper connections at once, and the port is released', async () => {
    const metrics = createMetrics(t.dialect, { defaultMetrics: false });
    const server = await startHealthServer({ port: 0, host: '127.0.0.1', ready: async () => ({ ready: true }), metrics: metrics.registry, log });
    const base = `http://127.0.0.1:${server.port}`;
    // A keep-alive connection that stays open after its answer, as Prometheus keeps one.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/healthz`, { headers: { connection: 'keep-alive' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
    const started = Date.now();
    await server.close();
    assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
    await assert.rejects(fetch(`${base}/healthz`));
    // The same port can be bound again, and a port in use is a clear error.
    const again = await startHealthServer({ port: server.port, host: '127.0.0.1', ready: async () => ({ ready: true }), metrics: metrics.registry, log });
    try {
      await assert.rejects(
        startHealthServer({ port: again.port, host: '127.0.0.1', ready: async () => ({ ready: true }), metrics: metrics.registry, log }),
        new RegExp(`^UserError: health server cannot listen on port ${again.port}: the port is in use$`),
      );
    } finally {
      await again.close();
    }
  });
});
