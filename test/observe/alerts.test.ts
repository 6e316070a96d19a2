import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { createAlerter, type AlerterOptions } from '../../src/observe/alerts.js';
import { createLogger } from '../../src/observe/logger.js';
import { startReceiver, type Responder } from '../support/webhookReceiver.js';
import { waitFor } from '../support/waitFor.js';

const TOKEN_PATH = '/hooks/T0K3N-s3cr3t?sig=abc';

/** A logger whose JSON lines are kept for assertions. */
function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination, pretty: false }), lines };
}

async function withReceiver(respond: Responder | undefined, options: Partial<AlerterOptions>, fn: (ctx: Awaited<ReturnType<typeof setup>>) => Promise<void>) {
  const ctx = await setup(respond, options);
  try {
    await fn(ctx);
  } finally {
    await ctx.alerter.close(100);
    await ctx.receiver.close();
  }
}

async function setup(respond: Responder | undefined, options: Partial<AlerterOptions>) {
  const receiver = await startReceiver(TOKEN_PATH, respond);
  const { log, lines } = capturedLog();
  const alerter = createAlerter({ url: receiver.url, log, worker: 'host:1:abc', retryBaseMs: 10, timeoutMs: 2000, maxAttempts: 3, ...options });
  return { receiver, alerter, lines };
}

const failed = { event: 'run_failed', mapref: 'M_SALES', message: 'ORA-00942: table or view does not exist', requestId: 'r1', prcid: 77 } as const;

describe('alert webhook', () => {
  test('delivers one JSON POST per event, stamped with time and worker, to the full URL', async () => {
    await withReceiver(undefined, {}, async ({ receiver, alerter }) => {
      const before = Date.now();
      alerter.send({ ...failed, requestType: 'IMMEDIATE' });
      await waitFor(() => receiver.received.length === 1, 'the POST');
      const [got] = receiver.received;
      assert.equal(got!.path, TOKEN_PATH);
      assert.equal(got!.contentType, 'application/json');
      const body = got!.body as Record<string, unknown>;
      assert.deepEqual({ ...body, at: undefined }, { event: 'run_failed', at: undefined, worker: 'host:1:abc', mapref: 'M_SALES', message: failed.message, requestId: 'r1', prcid: 77, requestType: 'IMMEDIATE' });
      assert.ok(Date.parse(body.at as string) >= before - 1000 && /Z$/.test(body.at as string));
      await waitFor(() => alerter.stats().delivered === 1, 'delivered count');
    });
  });

  test('retries after a 503 and then delivers once', async () => {
    const respond: Responder = (n, _req, res) => {
      res.statusCode = n === 1 ? 503 : 200;
      res.end();
    };
    await withReceiver(respond, {}, async ({ receiver, alerter, lines }) => {
      alerter.send(failed);
      await waitFor(() => alerter.stats().delivered === 1, 'delivery');
      assert.equal(receiver.hits(), 2);
      assert.deepEqual(alerter.stats(), { delivered: 1, failed: 0, dropped: 0 });
      const retry = lines.find((l) => l.msg === 'alert not delivered: will retry')!;
      assert.equal(retry.why, 'HTTP 503');
    });
  });

  test('a receiver that does not answer in time is retried; a 429 is retried no sooner than its Retry-After', async () => {
    const times: number[] = [];
    const respond: Responder = (n, _req, res) => {
      times.push(Date.now());
      if (n === 1) return; // never answers: the attempt times out
      if (n === 2) {
        res.writeHead(429, { 'retry-after': '1' });
        return res.end();
      }
      res.end();
    };
    await withReceiver(respond, { timeoutMs: 200 }, async ({ alerter, lines }) => {
      alerter.send(failed);
      await waitFor(() => alerter.stats().delivered === 1, 'delivery', 5000);
      const whys = lines.filter((l) => l.msg === 'alert not delivered: will retry').map((l) => l.why);
      assert.deepEqual(whys, ['no answer within 200 ms', 'HTTP 429']);
      assert.ok(times[2]! - times[1]! >= 990, `retried ${times[2]! - times[1]!} ms after the 429`);
    });
  });

  test('gives up after maxAttempts with a warning naming only the origin; a 4xx is not retried', async () => {
    const receiverMode = { status: 500 };
    const respond: Responder = (_n, _req, res) => {
      res.statusCode = receiverMode.status;
      res.end();
    };
    await withReceiver(respond, { maxAttempts: 3 }, async ({ receiver, alerter, lines }) => {
      alerter.send(failed);
      await waitFor(() => alerter.stats().failed === 1, 'give-up');
      assert.equal(receiver.hits(), 3);
      const warn = lines.find((l) => l.msg === 'alert not delivered: giving up')!;
      assert.deepEqual([warn.level, warn.target, warn.attempts, warn.why], ['warn', new URL(receiver.url).origin, 3, 'HTTP 500']);
      const everything = JSON.stringify(lines);
      assert.doesNotMatch(everything, /T0K3N|s3cr3t|sig=abc/);

      receiverMode.status = 401;
      alerter.send({ ...failed, requestId: 'r2' });
      await waitFor(() => alerter.stats().failed === 2, 'second give-up');
      assert.equal(receiver.hits(), 4, 'one attempt only');
    });
  });

  test('an unreachable receiver: network errors are retried, then given up', async () => {
    const receiver = await startReceiver(TOKEN_PATH);
    const url = receiver.url;
    await receiver.close();
    const { log, lines } = capturedLog();
    const alerter = createAlerter({ url, log, worker: 'w', retryBaseMs: 5, maxAttempts: 2 });
    alerter.send(failed);
    await waitFor(() => alerter.stats().failed === 1, 'give-up');
    await alerter.close();
    const warn = lines.find((l) => l.msg === 'alert not delivered: giving up')!;
    assert.match(String(warn.why), /ECONNREFUSED/);
    assert.doesNotMatch(JSON.stringify(lines), /T0K3N/);
  });

  test('a slow receiver never blocks send(); a full queue drops the oldest and counts them', async () => {
    const held: (() => void)[] = [];
    const respond: Responder = (_n, _req, res) => {
      held.push(() => res.end());
    };
    await withReceiver(respond, { queueSize: 5, timeoutMs: 30_000 }, async ({ receiver, alerter, lines }) => {
      const started = performance.now();
      for (let i = 1; i <= 20; i++) alerter.send({ ...failed, requestId: `r${i}` });
      assert.ok(performance.now() - started < 50, `send() took ${performance.now() - started} ms for 20 events`);
      await waitFor(() => held.length === 1, 'the first POST to hang');
      // All 20 were queued before the loop ran: only the newest 5 are kept.
      assert.equal(alerter.stats().dropped, 15);
      assert.equal(lines.filter((l) => l.msg === 'alert queue full: dropping the oldest alerts').length, 1, 'warned once, not per drop');
      const release = setInterval(() => held.splice(0).forEach((end) => end()), 5);
      try {
        await waitFor(() => alerter.stats().delivered === 5, 'the rest delivered');
      } finally {
        clearInterval(release);
      }
      assert.deepEqual(receiver.received.map((r) => (r.body as { requestId: string }).requestId), ['r16', 'r17', 'r18', 'r19', 'r20']);
    });
  });

  test('close() flushes what is queued, and gives up at its deadline on a receiver that hangs', async () => {
    const ok = await setup(undefined, {});
    for (let i = 1; i <= 5; i++) ok.alerter.send({ ...failed, requestId: `r${i}` });
    await ok.alerter.close(5000);
    assert.equal(ok.receiver.received.length, 5);
    assert.deepEqual(ok.alerter.stats(), { delivered: 5, failed: 0, dropped: 0 });
    ok.alerter.send(failed);
    assert.equal(ok.alerter.stats().dropped, 1, 'after close nothing is queued');
    await ok.receiver.close();

    const hang = await setup(() => undefined, { timeoutMs: 30_000 });
    try {
      hang.alerter.send(failed);
      hang.alerter.send({ ...failed, requestId: 'r2' });
      await waitFor(() => hang.receiver.hits() === 1, 'the first POST');
      const started = Date.now();
      await hang.alerter.close(300);
      const took = Date.now() - started;
      assert.ok(took >= 250 && took < 2000, `close took ${took} ms`);
      assert.deepEqual(hang.alerter.stats(), { delivered: 0, failed: 0, dropped: 2 });
      const warn = hang.lines.find((l) => l.msg === 'alerts not delivered before shutdown')!;
      assert.equal(warn.undelivered, 2);
    } finally {
      await hang.receiver.close();
    }
  });
});
