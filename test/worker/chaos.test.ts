import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { LEASE_EXPIRED } from '../../src/queue/abandonedRun.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertFlows, RAN_TWICE, sleepingBlock } from '../support/flows.js';
import { seededRandom, testSeed } from '../support/random.js';
import { insertRequests } from '../support/requests.js';
import { waitFor } from '../support/waitFor.js';
import { serving, spawnWorker, stopWorkers, type WorkerProcess } from '../support/workerProcess.js';

/**
 * Chaos: 4 worker processes drain 3,000 requests while a random one is killed with SIGKILL every
 * 2–4 s and replaced. The kill schedule and the workload come from one seeded PRNG; the seed is
 * printed, and DWPRC_CHAOS_SEED=<seed> replays the same schedule (timing still varies).
 *
 * "A MAPREF ran twice at once" means: the DWLOGIC blocks of two runs of one MAPREF were executing
 * on the database at the same instant. A block executes from its first statement until its
 * transaction ends — it commits, or it rolls back because it was cancelled or its backend was
 * terminated. A SIGKILLed worker's backend does not stop with it: it finishes or is terminated
 * later, after the reaper has already closed the run FL (ENDDT = reap time). So DWPRCLOG's
 * ENDDT of a reaped run says nothing about when its block stopped, and the STRTDT/ENDDT order
 * per MAPREF, which the test also checks, is necessary but not sufficient. The exact check is
 * clock-free: every block holds a transaction advisory lock on its MAPREF for its whole body
 * and raises (its run ends FL with RAN_TWICE) if another block of the MAPREF holds it.
 */

const REQUESTS = 3000;
const MAPREFS = 150;
/** MAPREFs whose runs outlast the lease: a kill leaves a backend still working past the reap. */
const LONG_MAPREFS = 8;
const LONG_SECONDS = 2;
const SHORT_SECONDS = 0.02;
const LONG_SHARE = 0.02;
/** A kill every 2–4 s, uniformly drawn. */
const KILL_EVERY_MS = [2000, 4000] as const;
const ENV = {
  DWPRC_CONCURRENCY: '4',
  DWPRC_POLL: '200ms',
  DWPRC_LEASE: '1500ms',
  DWPRC_RETRY_BASE: '100ms',
  // Never give up on a request because of kills: every row must end DONE.
  DWPRC_RETRY_LIMIT: '1000',
};

interface Run {
  prcid: number;
  mapref: string;
  requestId: string;
  status: string;
  msg: string | null;
  strtdt: Date;
  enddt: Date | null;
}

interface ReapLine {
  requestId: string;
  prcid: number | null;
  runSession: string | null;
}

/** Every 'reaped an expired lease' line the workers wrote (JSON lines at warn, one per committed reap). */
function reapsInLogs(workers: readonly WorkerProcess[]): ReapLine[] {
  return workers
    .flatMap((w) => w.output().split('\n'))
    .filter((line) => line.includes('"reaped an expired lease"'))
    .map((line) => JSON.parse(line) as ReapLine);
}

describe('chaos: workers SIGKILLed while draining the queue', () => {
  let t: TestDatabase;
  const started: WorkerProcess[] = [];
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => {
    await stopWorkers(started);
    await t.drop();
  });

  test(`${REQUESTS} requests, 4 workers, one SIGKILLed every 2–4 s: all DONE, re-runs only after reaps, never a MAPREF twice at once`, async (ctx) => {
    const seed = testSeed('DWPRC_CHAOS_SEED');
    const random = seededRandom(seed);
    ctx.diagnostic(`chaos seed ${seed} (replay with DWPRC_CHAOS_SEED=${seed})`);
    console.log(`chaos seed ${seed} (replay with DWPRC_CHAOS_SEED=${seed})`);

    const maprefs = Array.from({ length: MAPREFS }, (_, i) => `CHAOS_${i}`);
    await insertFlows(t.dialect, maprefs.map((mapref, i) => ({ mapref, dwlogic: sleepingBlock(mapref, i < LONG_MAPREFS ? LONG_SECONDS : SHORT_SECONDS, i) })));
    const pick = (from: number, to: number) => from + Math.floor(random() * (to - from));
    // PARAM1 = the request id, so that every DWPRCLOG row names the request it ran for.
    await insertRequests(
      t.dialect,
      Array.from({ length: REQUESTS }, (_, i) => {
        const id = `c${i}`;
        const mapref = maprefs[random() < LONG_SHARE ? pick(0, LONG_MAPREFS) : pick(LONG_MAPREFS, MAPREFS)]!;
        return { id, mapref, payload: JSON.stringify({ param1: id }), at: i };
      }),
    );

    const fleet = Array.from({ length: 4 }, () => spawnWorker(t.url, ENV));
    started.push(...fleet);
    const kills: { pid: number; running: string[] }[] = [];
    const drained = new AbortController();
    const chaos = (async () => {
      while (!drained.signal.aborted) {
        try {
          await sleep(pick(KILL_EVERY_MS[0], KILL_EVERY_MS[1]), undefined, { signal: drained.signal });
        } catch {
          return;
        }
        const slot = pick(0, fleet.length);
        const victim = fleet[slot]!;
        const { rows } = await sql<{ id: string }>`
          select request_id as id from dwprcreq where status = 'CLAIMED' and claimed_by like ${`%:${victim.child.pid}:%`}`.execute(t.dialect.db);
        victim.signal('SIGKILL');
        await victim.exited;
        kills.push({ pid: victim.child.pid!, running: rows.map((r) => r.id) });
        fleet[slot] = spawnWorker(t.url, ENV);
        started.push(fleet[slot]);
      }
    })();
    const drainStart = Date.now();
    try {
      await waitFor(async () => {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from dwprcreq where status in ('NEW', 'CLAIMED')`.execute(t.dialect.db);
        return rows[0]!.n === 0;
      }, 'the queue to drain under chaos', 240_000);
    } finally {
      drained.abort();
      await chaos;
    }
    // A SIGTERM must find every worker past start-up (during it the default action kills it).
    await Promise.all(fleet.map((w) => serving(t.dialect, w)));
    await stopWorkers(fleet);
    const logs = () => started.map((w) => w.output()).join('\n').slice(-20_000);
    assert.deepEqual(fleet.map((w) => w.child.exitCode), [0, 0, 0, 0], `the surviving workers exit cleanly\n${logs()}`);
    ctx.diagnostic(`drained in ${Date.now() - drainStart} ms; ${kills.length} kills; requests held by the victims: ${kills.reduce((n, k) => n + k.running.length, 0)}`);
    assert.ok(kills.length >= 3, `the chaos actually happened (${kills.length} kills)`);

    // Every request DONE: none lost, none left CLAIMED, none FAILED.
    const requests = await t.dialect.db.selectFrom('dwprcreq').select(['requestId', 'status', 'attempts', 'resultPayload']).execute();
    const notDone = requests.filter((r) => r.status !== 'DONE');
    assert.deepEqual(notDone, [], 'every request DONE');
    assert.equal(requests.length, REQUESTS);

    const { rows: runs } = await sql<Run>`
      select prcid, mapref, param1 as "requestId", status, msg, strtdt, enddt from dwprclog order by mapref, strtdt, prcid`.execute(t.dialect.db);
    // Every run terminal; the only failures are reaped leases (a RAN_TWICE block would fail here).
    assert.deepEqual(runs.filter((r) => r.status === 'IP'), [], 'no DWPRCLOG row left IP');
    assert.deepEqual(runs.filter((r) => r.msg?.startsWith(RAN_TWICE)), [], 'never two blocks of one MAPREF executing at once');
    const unexpected = runs.filter((r) => r.status !== 'PC' && !(r.status === 'FL' && r.msg === LEASE_EXPIRED));
    assert.deepEqual(unexpected, [], 'every run PC, or FL because its lease was reaped');

    // Per MAPREF in STRTDT order, each run's row was closed before the next one opened.
    for (let i = 1; i < runs.length; i++) {
      const [prev, cur] = [runs[i - 1]!, runs[i]!];
      if (prev.mapref !== cur.mapref) continue;
      assert.ok(prev.enddt! <= cur.strtdt, `${cur.mapref}: PRCID ${prev.prcid} ended ${prev.enddt!.toISOString()} after PRCID ${cur.prcid} started ${cur.strtdt.toISOString()}`);
    }

    // Re-executions only for reaped leases: one PC per request, every other run of it FL by a
    // reaper, and every claim but the last ended by a reap that some worker logged as it
    // committed (so attempts = 1 + reaps; a claim reaped before its run opened has no run).
    const byRequest = new Map<string, Run[]>();
    for (const run of runs) byRequest.set(run.requestId, [...(byRequest.get(run.requestId) ?? []), run]);
    const reaps = reapsInLogs(started);
    const reapsOf = new Map<string, ReapLine[]>();
    for (const reap of reaps) reapsOf.set(reap.requestId, [...(reapsOf.get(reap.requestId) ?? []), reap]);
    for (const request of requests) {
      const its = byRequest.get(request.requestId) ?? [];
      const logged = reapsOf.get(request.requestId) ?? [];
      const where = `request ${request.requestId}: runs ${JSON.stringify(its)}, reaps logged ${JSON.stringify(logged)}`;
      assert.equal(its.filter((r) => r.status === 'PC').length, 1, `exactly one PC run: ${where}`);
      assert.equal(request.attempts, 1 + logged.length, `attempts = 1 + reaps: ${where}`);
      assert.ok(its.length <= request.attempts, `no more runs than claims: ${where}`);
      for (const run of its.filter((r) => r.status === 'FL')) {
        assert.ok(logged.some((r) => r.prcid === run.prcid), `the reap of PRCID ${run.prcid} is logged: ${where}`);
      }
    }
    const reapedRuns = runs.filter((r) => r.status === 'FL').length;
    const ended = reaps.filter((r) => r.runSession === 'ended').length;
    ctx.diagnostic(`${runs.length} runs for ${REQUESTS} requests; ${reaps.length} reaps, ${reapedRuns} of runs, ${ended} of which ended a backend still executing its block`);
    assert.ok(reapedRuns > 0, 'some kills hit running flows');
  });
});
