import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { loadConfig, type Config } from '../../src/config.js';
import { defineFlow } from '../../src/engine/flow.js';
import type { FlowRegistry } from '../../src/engine/loadFlows.js';
import { createLogger } from '../../src/observe/logger.js';
import { whyMapref } from '../../src/observe/why.js';
import { schedulerTick } from '../../src/scheduler/tick.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertSchedule } from '../support/schedules.js';

const log = createLogger({ level: 'silent', destination: process.stderr, pretty: false });
const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe('dwprc why, against the database (each answer set up with plain inserts)', () => {
  let t: TestDatabase;
  let config: Config;
  let prcids = 1000;
  const noFlows: FlowRegistry = new Map();

  const why = (mapref: string, flows: FlowRegistry = noFlows) => whyMapref(t.dialect, config, mapref, { log, flows });

  async function flow(mapref: string, dwlogic = 'DO $$ BEGIN NULL; END $$') {
    await t.dialect.db.insertInto('dwjobflw').values({ jobflwid: ++prcids, jobid: 7, mapref, dwlogic, stflg: 'A', curflg: 'Y' }).execute();
  }

  /** A DWPRCWRK row; `heartbeatAgoMs` beyond 3 leases (3 × 30 s) makes it a dead one. */
  async function worker(id: string, heartbeatAgoMs = 0, running = 0) {
    await t.dialect.db
      .insertInto('dwprcwrk')
      .values({ workerId: id, host: 'etl1', pid: 42, version: '0.1.0', concurrency: 4, running, startedAt: t.dialect.utcNowPlus(-heartbeatAgoMs - MINUTE), heartbeatAt: t.dialect.utcNowPlus(-heartbeatAgoMs) })
      .execute();
  }

  /** A DWPRCLOG row that started `startedAgoMs` ago (database local clock) and, unless IP, ran `tookMs`. */
  async function run(mapref: string, status: 'IP' | 'PC' | 'FL' | 'ST', startedAgoMs: number, tookMs = 10 * SECOND, msg: string | null = null) {
    const prcid = ++prcids;
    await t.dialect.db
      .insertInto('dwprclog')
      .values({ prcid, mapref, status, msg, strtdt: t.dialect.localNowPlus(-startedAgoMs), enddt: status === 'IP' ? null : t.dialect.localNowPlus(-startedAgoMs + tookMs), sessionid: 1 })
      .execute();
    return prcid;
  }

  interface Req {
    id: string;
    mapref: string;
    status: string;
    type?: string;
    agoMs?: number;
    claimedBy?: string;
    prcid?: number;
    attempts?: number;
    runAfterInMs?: number;
    leaseInMs?: number;
    result?: object;
  }

  async function req(r: Req) {
    const ago = r.agoMs ?? MINUTE;
    await t.dialect.db
      .insertInto('dwprcreq')
      .values({
        requestId: r.id,
        mapref: r.mapref,
        requestType: r.type ?? 'IMMEDIATE',
        payload: '{}',
        status: r.status,
        requestedAt: t.dialect.localNowPlus(-ago),
        claimedAt: r.status === 'NEW' ? null : t.dialect.localNowPlus(-ago + SECOND),
        claimedBy: r.claimedBy ?? (r.status === 'NEW' ? null : 'etl1:42:a'),
        completedAt: ['DONE', 'FAILED', 'CANCELLED'].includes(r.status) ? t.dialect.localNowPlus(-ago + 20 * SECOND) : null,
        prcid: r.prcid ?? null,
        attempts: r.attempts ?? (r.status === 'NEW' ? 0 : 1),
        runAfter: r.runAfterInMs === undefined ? null : t.dialect.utcNowPlus(r.runAfterInMs),
        leaseExpiresAt: r.status === 'CLAIMED' ? t.dialect.utcNowPlus(r.leaseInMs ?? 20 * SECOND) : null,
        resultPayload: r.result ? JSON.stringify(r.result) : null,
      })
      .execute();
  }

  // A threshold of 1 s: every due occurrence counts as missed, whatever the minute the test runs in.
  const tick = (misfire: 'coalesce' | 'skip' = 'coalesce') =>
    schedulerTick({ dialect: t.dialect, settings: { tickMs: 1000, misfire, catchupMax: 10, misfireThresholdMs: SECOND }, zone: 'UTC', log });
  const today = () => DateTime.utc().toISODate()!;
  const tomorrow = () => DateTime.utc().plus({ days: 1 }).toISODate()!;

  before(async () => {
    t = await createTestDatabase();
    config = { ...loadConfig({ DWPRC_DATABASE_URL: t.url, DWPRC_TIMEZONE: 'UTC' }), flowsDir: null };
  });
  after(() => t.drop());
  beforeEach(async () => {
    await sql`truncate dwprcreq, dwprclog, dwjobsch, dwjobflw, dwprcwrk`.execute(t.dialect.db);
  });

  test('no active flow: none in DWJOBFLW and no TypeScript flow; a Python DWLOGIC is refused; a TypeScript flow counts', async () => {
    const none = await why('NOFLOW');
    assert.equal(none.kind, 'no-flow');
    assert.equal(none.answer, 'no flow to run: No active job flow found for NOFLOW');
    await t.dialect.db.insertInto('dwjobflw').values({ jobflwid: 1, jobid: 1, mapref: 'NOFLOW', dwlogic: 'x', stflg: 'I', curflg: 'Y' }).execute();
    assert.equal((await why('NOFLOW')).kind, 'no-flow', 'an inactive row (STFLG I) is no flow');
    await flow('PY', 'import pandas as pd\ndef main():\n    pass\n');
    assert.match((await why('PY')).answer, /^no flow to run: DWLOGIC of PY \(JOBFLWID \d+\) is Python code/);
    await flow('PYJOB', 'def execute_job(metadata, source, target, session_params):\n    return {}\n');
    assert.match((await why('PYJOB')).evidence[0]!, /^flow: Python DWLOGIC \(execute_job\) of JOBFLWID \d+$/);
    const ts = await why('TSFLOW', new Map([['TSFLOW', { flow: defineFlow({ mapref: 'TSFLOW', run: async () => undefined }), file: '/flows/ts.js' }]]));
    assert.equal(ts.kind, 'not-scheduled');
    assert.equal(ts.evidence[0], 'flow: TypeScript flow in /flows/ts.js');
  });

  test('running now: the request, its worker, since when, its PRCID', async () => {
    await flow('RUNS');
    await worker('etl1:42:a', 0, 1);
    const prcid = await run('RUNS', 'IP', 2 * MINUTE);
    await req({ id: 'R-RUN', mapref: 'RUNS', status: 'CLAIMED', agoMs: 2 * MINUTE + SECOND, prcid });
    const a = await why('RUNS');
    assert.equal(a.kind, 'running');
    assert.match(a.answer, new RegExp(`^running now: request R-RUN \\(IMMEDIATE\\) on worker etl1:42:a since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\(2m 0\\ds ago\\), PRCID ${prcid}$`));
    assert.equal(a.facts.running!.prcid, prcid);
  });

  test('queued behind the running request (one run per MAPREF)', async () => {
    await flow('BUSY');
    await worker('etl1:42:a', 0, 1);
    await req({ id: 'R-FIRST', mapref: 'BUSY', status: 'CLAIMED', agoMs: 5 * MINUTE });
    await req({ id: 'R-SECOND', mapref: 'BUSY', status: 'NEW', agoMs: MINUTE });
    await req({ id: 'R-THIRD', mapref: 'BUSY', status: 'NEW', type: ' history ', agoMs: 30 * SECOND });
    // A REPORT of the same MAPREF does not take part in one-run-per-MAPREF.
    await req({ id: 'R-REPORT', mapref: 'BUSY', status: 'NEW', type: 'REPORT' });
    const a = await why('BUSY');
    assert.equal(a.kind, 'queued-behind');
    assert.match(a.answer, /^request R-SECOND \(queued since .* \(1m 0\ds ago\)\) waits behind the running request R-FIRST \(IMMEDIATE\) on worker etl1:42:a since /);
    assert.equal(a.facts.queuedCount, 2);
    assert.match(a.evidence[2]!, /^queued: 2 request\(s\): R-SECOND \(IMMEDIATE, .*\); R-THIRD \(HISTORY, /);
  });

  test('queued and due but no live worker (a stale heartbeat is no worker); with one, it should be claimed', async () => {
    await flow('WAITS');
    await worker('gone', 10 * MINUTE);
    await req({ id: 'R-W', mapref: 'WAITS', status: 'NEW', agoMs: 3 * MINUTE });
    const a = await why('WAITS');
    assert.equal(a.kind, 'no-workers');
    assert.match(a.answer, /^request R-W is queued since .* \(3m 0\ds ago\) and due, but no worker is alive \(no DWPRCWRK heartbeat in the last 1m 30s\)$/);
    await worker('etl2:7:b', 2 * SECOND, 0);
    const b = await why('WAITS');
    assert.equal(b.kind, 'queued');
    assert.match(b.answer, /a worker should claim it within a poll \(1 live worker\(s\), 0 of 4 slots busy\)$/);
  });

  test('queued with RUN_AFTER in the future: retry pending, attempt n, the reason from RESULT_PAYLOAD', async () => {
    await flow('RETRY');
    await run('RETRY', 'FL', 2 * MINUTE, SECOND, 'deadlock detected');
    await req({
      id: 'R-RETRY', mapref: 'RETRY', status: 'NEW', attempts: 1, runAfterInMs: 4 * MINUTE,
      result: { status: 'RETRYING', message: 'deadlock detected (attempt 1 of 3; retry in 240 s)' },
    });
    const a = await why('RETRY');
    assert.equal(a.kind, 'retry-pending');
    assert.match(a.answer, /^retry pending: request R-RETRY runs again not before \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00 \(in (3m 5\ds|4m 00s)\); attempt 1 ended: deadlock detected \(attempt 1 of 3; retry in 240 s\)$/);
  });

  test('the last failure, and no retry pending', async () => {
    await flow('FAILS');
    const prcid = await run('FAILS', 'FL', 10 * MINUTE, 5 * SECOND, 'relation "sales_stage" does not exist');
    await req({ id: 'R-FAILED', mapref: 'FAILS', status: 'FAILED', agoMs: 10 * MINUTE + SECOND, prcid, result: { status: 'FAILED', message: 'relation "sales_stage" does not exist', prcid } });
    const a = await why('FAILS');
    assert.equal(a.kind, 'failed');
    assert.match(a.answer, new RegExp(`^the last run failed: PRCID ${prcid} ended FL at .*: relation "sales_stage" does not exist; request R-FAILED FAILED at .*; no retry is pending$`));
    assert.equal(a.hint, 'dwprc retry R-FAILED queues it again (or dwprc run FAILS)');
  });

  test('the last run stopped', async () => {
    await flow('STOPS');
    const prcid = await run('STOPS', 'ST', 10 * MINUTE, 5 * SECOND, 'stopped by STOP s1 (graceful)');
    await req({ id: 'R-STOPPED', mapref: 'STOPS', status: 'CANCELLED', agoMs: 10 * MINUTE + SECOND, prcid, result: { status: 'CANCELLED', message: 'stopped' } });
    assert.equal((await why('STOPS')).kind, 'stopped');
  });

  test('schedule disabled, ended, invalid; next run at a time in the zone; not computed yet', async () => {
    await worker('etl1:42:a');
    for (const m of ['OFF', 'ENDED', 'BAD', 'DAILY', 'FRESH']) await flow(m);
    await insertSchedule(t.dialect, { mapref: 'OFF', frqcd: 'DL', frqhh: '06', frqmi: '00', strtdt: today(), schflg: 'N' });
    await insertSchedule(t.dialect, { mapref: 'ENDED', frqcd: 'DL', frqhh: '06', frqmi: '00', strtdt: '2025-01-01', enddt: '2025-01-31' });
    await insertSchedule(t.dialect, { mapref: 'BAD', frqcd: 'WK', frqdd: 'XYZ', frqhh: '06', frqmi: '00', strtdt: today() });
    await insertSchedule(t.dialect, { mapref: 'DAILY', frqcd: 'DL', frqhh: '23', frqmi: '59', strtdt: tomorrow() });
    await tick();
    await insertSchedule(t.dialect, { mapref: 'FRESH', frqcd: 'DL', frqhh: '23', frqmi: '59', strtdt: tomorrow() });

    const off = await why('OFF');
    assert.deepEqual([off.kind, off.hint], ['schedule-disabled', 'dwprc schedule enable OFF']);
    const ended = await why('ENDED');
    assert.equal(ended.kind, 'schedule-ended');
    assert.match(ended.answer, /after its end date 2025-01-31/);
    const bad = await why('BAD');
    assert.equal(bad.kind, 'schedule-invalid');
    assert.match(bad.answer, /is invalid and does not fire: Invalid Frequency Day\. For Weekly\/Fortnightly frequency/);
    const daily = await why('DAILY');
    assert.equal(daily.kind, 'scheduled');
    assert.match(daily.answer, new RegExp(`^scheduled \\(DL 23:59\\): next run at ${tomorrow()} 23:59:00 \\+00:00 \\(in `));
    const fresh = await why('FRESH');
    assert.equal(fresh.kind, 'schedule-pending');
    await sql`truncate dwprcwrk`.execute(t.dialect.db);
    assert.equal((await why('FRESH')).kind, 'no-workers');
  });

  test('no schedule: runs only when asked', async () => {
    await flow('ADHOC');
    await run('ADHOC', 'PC', 60 * MINUTE);
    const a = await why('ADHOC');
    assert.equal(a.kind, 'not-scheduled');
    assert.match(a.evidence[4]!, /^last run: PRCID \d+ ended PC at /);
  });

  test('a dependency child: waits for its parent; a failed parent means the child did not run', async () => {
    await flow('CHILD');
    const parent = await insertSchedule(t.dialect, { mapref: 'PARENT', frqcd: 'DL', frqhh: '06', frqmi: '00', strtdt: today() });
    await insertSchedule(t.dialect, { mapref: 'CHILD', frqcd: 'DL', frqhh: '06', frqmi: '00', strtdt: today(), parent });
    await run('CHILD', 'PC', 26 * 60 * MINUTE);
    await run('PARENT', 'PC', 25 * 60 * MINUTE);
    const waiting = await why('CHILD');
    assert.equal(waiting.kind, 'waiting-for-parent');
    assert.match(waiting.answer, /^it runs after each successful run of its parent PARENT, not on its own frequency; its last run: PRCID \d+ ended PC at /);
    await run('PARENT', 'FL', 60 * MINUTE, MINUTE, 'ORA-01555: snapshot too old');
    const blocked = await why('CHILD');
    assert.equal(blocked.kind, 'parent-failed');
    assert.match(blocked.answer, /^waiting for its parent PARENT, whose last run failed \(PRCID \d+ ended FL at .*: ORA-01555: snapshot too old\), so CHILD did not run$/);
    assert.match(blocked.evidence.find((l) => l.startsWith('parent PARENT'))!, /last run PRCID \d+ ended FL/);
  });

  test('misfires: the skip policy records its drop in DWJOBSCH, coalesce in the payload of its firing', async () => {
    await worker('etl1:42:a');
    await flow('MISSED');
    // Every 10 minutes from yesterday: the fleet was "down" for the last half hour (so the latest
    // occurrence dropped was 0–10 minutes ago, depending on the clock: seconds or minutes ago).
    const yesterday = DateTime.utc().minus({ days: 1 }).toISODate()!;
    const id = await insertSchedule(t.dialect, { mapref: 'MISSED', frqcd: 'ID', frqhh: '-1', frqmi: '10', strtdt: yesterday });
    await tick();
    const down = async () => {
      const row = await t.dialect.db.selectFrom('dwjobsch').select('nxtRunDt').where('jobschid', '=', id).executeTakeFirstOrThrow();
      await t.dialect.db.updateTable('dwjobsch').set({ nxtRunDt: new Date(row.nxtRunDt!.getTime() - 40 * MINUTE) }).where('jobschid', '=', id).execute();
    };
    await down();
    const skipped = await tick('skip');
    assert.equal(skipped.fired.length, 0);
    const a = await why('MISSED');
    assert.equal(a.kind, 'misfire-skipped');
    assert.match(a.answer, new RegExp(`^${skipped.skipped} missed occurrence\\(s\\), the latest at .* \\+00:00 \\((\\d+m \\d\\ds|[\\d.]+s) ago\\), were not run: no worker was up then and the misfire policy \\(DWPRC_MISFIRE\\) dropped them; next run at `));

    await down();
    const coalesced = await tick('coalesce');
    assert.equal(coalesced.fired.length, 1);
    // The coalesced firing is queued: that is the answer until it has run.
    assert.equal((await why('MISSED')).kind, 'queued');
    const prcid = await run('MISSED', 'PC', 5 * SECOND, SECOND);
    await t.dialect.db.updateTable('dwprcreq').set({ status: 'DONE', completedAt: t.dialect.localNow(), prcid }).where('requestId', '=', coalesced.fired[0]!).execute();
    const b = await why('MISSED');
    assert.equal(b.kind, 'misfire-skipped');
    assert.match(b.answer, new RegExp(`^its last scheduled run \\(request ${coalesced.fired[0]} for .*\\) stood in for ${coalesced.skipped} missed occurrence\\(s\\) that did not run \\(DWPRC_MISFIRE=coalesce\\); next run at `));
  });
});
