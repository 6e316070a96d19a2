import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { statusLine } from '../../src/cli/wait.js';
import { historyPosition, type RequestSnapshot } from '../../src/observe/followRequest.js';
import { BIN, runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { dwlogic, setFlow } from '../support/engine.js';
import { waitFor } from '../support/waitFor.js';
import { serving, spawnWorker, stopWorkers, type WorkerProcess } from '../support/workerProcess.js';

/** A CLI process whose output is read while it runs (wait and logs --follow are long-lived). */
function start(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DWPRC_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

describe('dwprc run/history/stop --wait, dwprc wait, dwprc logs --follow', () => {
  let t: TestDatabase;
  let worker: WorkerProcess;
  let env: Record<string, string>;
  before(async () => {
    t = await createTestDatabase();
    env = { DWPRC_DATABASE_URL: t.url };
    await setFlow(t, 'W_OK', dwlogic('W_OK', '  NULL;'));
    await setFlow(t, 'W_FAIL', dwlogic('W_FAIL', "  RAISE EXCEPTION 'target <locked>';"));
    await setFlow(t, 'W_SLOW', dwlogic('W_SLOW', '  PERFORM pg_sleep(30);'));
    worker = spawnWorker(t.url, { DWPRC_POLL: '200ms' });
    await serving(t.dialect, worker);
  });
  after(async () => {
    await stopWorkers([worker]);
    await t.drop();
  });

  test('run --wait: one line per change when not a terminal, exit 0 once DONE', async () => {
    const r = await runCli(['run', 'W_OK', '--wait'], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    // The first line is the request as first read: still queued, or already claimed by the fast worker.
    assert.match(lines[0]!, /^\S+ IMMEDIATE W_OK (NEW: queued|RUNNING on \S+.*)$/);
    assert.match(lines.at(-1)!, /^\S+ IMMEDIATE W_OK DONE after [\d.]+s/);
    const id = lines[0]!.split(' ')[0]!;
    assert.ok(lines.every((line) => line.startsWith(`${id} `)), r.stdout);
    assert.equal(new Set(lines).size, lines.length, 'a line per change, none repeated');
  });

  test('run --wait --json: the final request, exit 1 when it FAILED', async () => {
    const r = await runCli(['run', 'W_FAIL', '--wait', '--json'], env);
    assert.equal(r.code, 1, r.stderr);
    const final = JSON.parse(r.stdout) as RequestSnapshot & { waited: string };
    assert.equal(final.status, 'FAILED');
    assert.equal(final.waited, 'FAILED');
    assert.equal(final.mapref, 'W_FAIL');
    assert.match(final.result.message!, /target <locked>/);
    assert.ok(final.prcid !== null);
  });

  test('history --wait: exit 0 after its days', async () => {
    const r = await runCli(['history', 'W_OK', '--from', '2026-01-01', '--to', '2026-01-03', '--wait'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim().split('\n').at(-1)!, /HISTORY W_OK DONE/);
  });

  test('--timeout passes first: exit 4, the request keeps running; stop --wait returns once it ended; wait on it then says CANCELLED (3)', async () => {
    const queued = await runCli(['run', 'W_SLOW'], env);
    const id = queued.stdout.trim();
    const timedOut = await runCli(['wait', id, '--timeout', '1s'], env);
    assert.equal(timedOut.code, 4, timedOut.stderr);
    assert.match(timedOut.stderr, new RegExp(`--timeout 1s passed: ${id} is still (NEW|CLAIMED); it keeps running`));
    const row = await t.dialect.db.selectFrom('dwprcreq').select('status').where('requestId', '=', id).executeTakeFirstOrThrow();
    assert.ok(['NEW', 'CLAIMED'].includes(row.status), row.status);

    await waitFor(async () => (await t.dialect.db.selectFrom('dwprcreq').select('prcid').where('requestId', '=', id).executeTakeFirstOrThrow()).prcid !== null, 'the slow run to start');
    const stopped = await runCli(['stop', 'W_SLOW', '--force', '--wait', '--json'], env);
    assert.equal(stopped.code, 0, stopped.stderr);
    const stop = JSON.parse(stopped.stdout) as RequestSnapshot;
    assert.equal(stop.requestType, 'STOP');
    assert.match(stop.result.message!, new RegExp(`^${id} CANCELLED`));
    const waited = await runCli(['wait', id], env);
    assert.equal(waited.code, 3, waited.stderr);
    assert.match(waited.stdout, /CANCELLED/);
  });

  test('Ctrl-C stops the waiting, not the run', async () => {
    const id = (await runCli(['run', 'W_SLOW'], env)).stdout.trim();
    const w = start(['wait', id], env);
    await waitFor(() => w.stdout().includes('RUNNING'), 'the wait to report the run', 20_000);
    w.child.kill('SIGINT');
    assert.equal(await w.exited, 130, w.stderr());
    assert.match(w.stderr(), /interrupted: .* is still CLAIMED; it keeps running/);
    const row = await t.dialect.db.selectFrom('dwprcreq').select('status').where('requestId', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'CLAIMED');
    assert.equal((await runCli(['stop', 'W_SLOW', '--force', '--wait'], env)).code, 0);
  });

  test('an unknown request id is a one-line error; --timeout without --wait is refused', async () => {
    const r = await runCli(['wait', 'no-such-id'], env);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'dwprc: no request no-such-id in DWPRCREQ (dwprc status lists the queue)');
    const usage = await runCli(['run', 'W_OK', '--timeout', '5s'], env);
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr.trim(), 'dwprc: --timeout needs --wait');
  });

  test('logs --follow: new runs and their end, as they happen', async () => {
    const f = start(['logs', 'W_FAIL', '--follow', '--poll', '200ms', '--last', '5'], env);
    const before = (await t.dialect.db.selectFrom('dwprclog').select('prcid').where('mapref', '=', 'W_FAIL').execute()).length;
    await waitFor(() => f.stdout().split('\n').filter(Boolean).length >= before, 'the runs so far');
    await runCli(['run', 'W_FAIL', '--wait'], env);
    await waitFor(() => /PRCID \d+ FL ended after [\d.]+s .*msg: .*target <locked>/.test(f.stdout().split('\n').slice(before).join('\n')), 'the new run\'s end', 20_000);
    f.child.kill('SIGINT');
    assert.equal(await f.exited, 0, f.stderr());
  });
});

describe('the wait line', () => {
  const base: RequestSnapshot = {
    requestId: 'r1', mapref: 'M', requestType: 'HISTORY', status: 'CLAIMED', attempts: 1, claimedBy: 'h:1', prcid: 9,
    requestedAt: new Date('2026-01-01T10:00:00Z'), claimedAt: new Date('2026-01-01T10:00:01Z'), completedAt: null, stopRequested: 'N',
    result: { status: null, message: null }, resultPayload: null, history: historyPosition('{"from":"2026-01-01","to":"2026-01-10","done":"2026-01-02"}'),
    startedAt: new Date('2026-01-01T10:00:02Z'), expectedSeconds: 60,
  };

  test('HISTORY: day k of n with the day and a bar; elapsed; expected finish, late past it', () => {
    assert.deepEqual(base.history, { day: '2026-01-03', k: 3, n: 10 });
    assert.equal(
      statusLine(base, new Date('2026-01-01T10:00:32Z')),
      'r1 HISTORY M RUNNING on h:1, PRCID 9, day 3 of 10 (2026-01-03) [####----------------], 30s elapsed, expected ~1m 00s, done ~10:01:02',
    );
    assert.match(statusLine(base, new Date('2026-01-01T10:02:02Z')), /2m 00s elapsed, expected ~1m 00s, done ~10:01:02 \(late\)$/);
    assert.equal(historyPosition('{"from":"2026-01-01","to":"2026-01-02","done":null}')?.k, 1);
    assert.equal(historyPosition('not json'), null);
  });

  test('ended and queued requests; a message cannot break the line', () => {
    const done = { ...base, status: 'FAILED', completedAt: new Date('2026-01-01T10:00:11Z'), result: { status: 'FAILED', message: 'bad\nrow' } };
    assert.equal(statusLine(done, new Date()), 'r1 HISTORY M FAILED after 10s: bad\\u000arow');
    assert.equal(statusLine({ ...base, status: 'NEW', attempts: 0 }, new Date()), 'r1 HISTORY M NEW: queued');
  });
});
