import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decideWhy,
  whyEvidence,
  type RequestFact,
  type RunFact,
  type ScheduleFact,
  type WhyFacts,
  type WhyKind,
} from '../../src/observe/whyDecision.js';

// 10:00 UTC is 11:00 in Berlin; the database's local clock reads 11:00 too.
const NOW = new Date('2026-03-02T10:00:00Z');
const NOW_LOCAL = new Date('2026-03-02T11:00:00Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

function request(over: Partial<RequestFact> = {}): RequestFact {
  return {
    requestId: 'R1', requestType: 'IMMEDIATE', status: 'NEW', requestedAt: '2026-03-02 10:55:00', claimedAt: null, completedAt: null,
    claimedBy: null, prcid: null, attempts: 0, runAfter: null, leaseExpiresAt: null, stopRequested: 'N', resultStatus: null, resultMessage: null,
    ...over,
  };
}

const runningReq = (over: Partial<RequestFact> = {}) =>
  request({ requestId: 'RUN1', status: 'CLAIMED', claimedAt: '2026-03-02 10:48:00', claimedBy: 'etl1:42:a', prcid: 500, attempts: 1, leaseExpiresAt: minutes(0.5), ...over });

function schedule(over: Partial<ScheduleFact> = {}): ScheduleFact {
  return {
    jobschid: 17, frequency: 'DL 06:00', strtdt: '2026-01-01', enddt: null, enabled: true, parent: null, invalid: null, ended: false,
    nxtRunDt: minutes(60 * 19), lstRunDt: minutes(-60 * 5), lastSkip: null, ...over,
  };
}

function facts(over: Partial<WhyFacts> = {}): WhyFacts {
  return {
    mapref: 'SALES', zone: 'Europe/Berlin', nowUtc: NOW, nowLocal: NOW_LOCAL,
    flow: { kind: 'dwlogic', jobflwid: 1001 },
    running: null, queued: [], queuedCount: 0,
    workers: { live: 2, slots: 8, busy: 1, windowSeconds: 90 },
    lastRun: { prcid: 100, status: 'PC', start: '2026-03-02 06:00:01', end: '2026-03-02 06:04:31', message: null },
    lastRequest: request({ requestId: 'S17-202603020500', status: 'DONE', completedAt: '2026-03-02 06:04:32', prcid: 100, resultStatus: 'DONE', resultMessage: 'PC' }),
    schedule: schedule(),
    parent: null,
    lastFiring: { requestId: 'S17-202603020500', scheduledFor: '2026-03-02T06:00:00.000+01:00', skipped: 0, misfire: null },
    ...over,
  };
}

const queue = (...items: RequestFact[]) => ({ queued: items, queuedCount: items.length });

describe('dwprc why: the decision (pure)', () => {
  test('scheduled: next run in the business zone with its offset, and how far off', () => {
    const a = decideWhy(facts());
    assert.equal(a.kind, 'scheduled');
    assert.equal(a.answer, 'scheduled (DL 06:00): next run at 2026-03-03 06:00:00 +01:00 (in 19h 00m 00s); last fired 2026-03-02 06:00:00 +01:00 (5h 00m 00s ago)');
    assert.equal(a.hint, null);
  });

  test('no flow comes first, whatever else holds', () => {
    const a = decideWhy(facts({ flow: { kind: 'none', reason: 'No active job flow found for SALES' }, running: runningReq(), ...queue(request()) }));
    assert.equal(a.kind, 'no-flow');
    assert.equal(a.answer, 'no flow to run: No active job flow found for SALES');
    assert.match(a.hint!, /DWPRC_FLOWS_DIR .*\(CURFLG='Y', STFLG='A'\)/);
  });

  test('running now: request, worker, since, PRCID; a stop asked; an expired lease', () => {
    const a = decideWhy(facts({ running: runningReq() }));
    assert.equal(a.kind, 'running');
    assert.equal(a.answer, 'running now: request RUN1 (IMMEDIATE) on worker etl1:42:a since 2026-03-02 10:48:00 (12m 00s ago), PRCID 500');
    assert.match(decideWhy(facts({ running: runningReq({ prcid: null }) })).answer, /\(no DWPRCLOG row yet\)$/);
    assert.match(decideWhy(facts({ running: runningReq({ stopRequested: 'F' }) })).answer, /; a forced stop was requested$/);
    const lost = decideWhy(facts({ running: runningReq({ leaseExpiresAt: minutes(-5) }) }));
    assert.match(lost.answer, /but its lease expired at 2026-03-02 10:55:00 \+01:00 \(5m 00s ago\): that worker is gone$/);
    assert.match(lost.hint!, /a live worker reaps it/);
    const orphan = decideWhy(facts({ running: runningReq({ leaseExpiresAt: minutes(-5) }), workers: { live: 0, slots: 0, busy: 0, windowSeconds: 90 } }));
    assert.match(orphan.hint!, /no worker is alive \(no DWPRCWRK heartbeat in the last 1m 30s\) to reap it/);
  });

  test('queued behind the running request (one run per MAPREF)', () => {
    const a = decideWhy(facts({ running: runningReq(), ...queue(request({ requestId: 'Q2', requestedAt: '2026-03-02 10:50:00' })) }));
    assert.equal(a.kind, 'queued-behind');
    assert.equal(
      a.answer,
      'request Q2 (queued since 2026-03-02 10:50:00 (10m 00s ago)) waits behind the running request RUN1 (IMMEDIATE) on worker etl1:42:a since 2026-03-02 10:48:00 (12m 00s ago), PRCID 500: one run per MAPREF at a time',
    );
  });

  test('queued and due: no live worker, all slots busy, or about to be claimed', () => {
    const q = queue(request({ requestId: 'Q1' }));
    const none = decideWhy(facts({ ...q, workers: { live: 0, slots: 0, busy: 0, windowSeconds: 90 } }));
    assert.equal(none.kind, 'no-workers');
    assert.equal(none.answer, 'request Q1 is queued since 2026-03-02 10:55:00 (5m 00s ago) and due, but no worker is alive (no DWPRCWRK heartbeat in the last 1m 30s)');
    assert.match(none.hint!, /dwprc worker/);
    const busy = decideWhy(facts({ ...q, workers: { live: 2, slots: 8, busy: 8, windowSeconds: 90 } }));
    assert.equal(busy.kind, 'queued');
    assert.match(busy.answer, /but all 8 slots of the 2 live worker\(s\) are busy: it starts when one frees up$/);
    assert.match(decideWhy(facts(q)).answer, /a worker should claim it within a poll \(2 live worker\(s\), 1 of 8 slots busy\)$/);
  });

  test('retry pending: not before RUN_AFTER, attempt n, the reason from RESULT_PAYLOAD', () => {
    const retry = request({ requestId: 'Q1', attempts: 2, runAfter: minutes(3), resultStatus: 'RETRYING', resultMessage: 'ORA-00054: resource busy (attempt 2 of 3; retry in 180 s)' });
    const a = decideWhy(facts({ ...queue(retry), workers: { live: 0, slots: 0, busy: 0, windowSeconds: 90 } }));
    assert.equal(a.kind, 'retry-pending', 'a retry not yet due is the answer even with no worker: nothing could run it yet');
    assert.equal(a.answer, 'retry pending: request Q1 runs again not before 2026-03-02 11:03:00 +01:00 (in 3m 00s); attempt 2 ended: ORA-00054: resource busy (attempt 2 of 3; retry in 180 s)');
    const later = decideWhy(facts(queue(request({ requestId: 'Q9', runAfter: minutes(60) }))));
    assert.equal(later.answer, 'request Q9 is queued to run not before 2026-03-02 12:00:00 +01:00 (in 1h 00m 00s) (RUN_AFTER)');
  });

  test('the last run failed, no retry pending; a request that failed without a run; a stopped run', () => {
    const fl: RunFact = { prcid: 101, status: 'FL', start: '2026-03-02 06:00:01', end: '2026-03-02 06:01:10', message: 'ORA-00942: table or view does not exist' };
    const failedReq = request({ requestId: 'S17-202603020500', status: 'FAILED', completedAt: '2026-03-02 06:01:11', prcid: 101, attempts: 1, resultMessage: 'ORA-00942: table or view does not exist' });
    const a = decideWhy(facts({ lastRun: fl, lastRequest: failedReq }));
    assert.equal(a.kind, 'failed');
    assert.equal(
      a.answer,
      'the last run failed: PRCID 101 ended FL at 2026-03-02 06:01:10 (4h 58m 50s ago): ORA-00942: table or view does not exist; request S17-202603020500 FAILED at 2026-03-02 06:01:11 (4h 58m 49s ago); no retry is pending',
    );
    assert.equal(a.hint, 'dwprc retry S17-202603020500 queues it again (or dwprc run SALES)');

    const bad = request({ requestId: 'U1', status: 'FAILED', completedAt: '2026-03-02 09:00:00', resultMessage: 'param3 is longer than 250 characters' });
    const b = decideWhy(facts({ lastRequest: bad }));
    assert.equal(b.kind, 'failed');
    assert.match(b.answer, /^the last run failed: request U1 FAILED at 2026-03-02 09:00:00 \(2h 00m 00s ago\): param3 is longer than 250 characters; no retry is pending$/);

    // A run of another tool, newer than any request, failed: told from DWPRCLOG alone.
    const c = decideWhy(facts({ lastRun: { ...fl, start: '2026-03-02 10:00:00', end: '2026-03-02 10:01:00' } }));
    assert.equal(c.kind, 'failed');
    assert.equal(c.hint, 'dwprc run SALES queues a new run');

    const st: RunFact = { prcid: 102, status: 'ST', start: '2026-03-02 06:00:01', end: '2026-03-02 06:00:30', message: 'stopped by STOP X1 (graceful)' };
    const d = decideWhy(facts({ lastRun: st, lastRequest: request({ requestId: 'R7', status: 'CANCELLED', completedAt: '2026-03-02 06:00:31', prcid: 102, resultMessage: 'stopped' }) }));
    assert.equal(d.kind, 'stopped');
    assert.match(d.answer, /^the last run was stopped: PRCID 102 ended ST at .*: stopped by STOP X1 \(graceful\); request R7 CANCELLED at .*: stopped$/);
  });

  test('schedule states: disabled, none, invalid, ended, not computed yet, due with no worker', () => {
    const kind = (s: Partial<ScheduleFact> | null, over: Partial<WhyFacts> = {}) => decideWhy(facts({ schedule: s && schedule(s), ...over }));
    assert.equal(kind({ enabled: false, nxtRunDt: null }).answer, "its schedule is disabled (DWJOBSCH.SCHFLG not 'Y', JOBSCHID 17): it does not fire");
    assert.equal(kind({ enabled: false, nxtRunDt: null }).hint, 'dwprc schedule enable SALES');
    const none = kind(null, { lastFiring: null });
    assert.deepEqual([none.kind, none.hint], ['not-scheduled', 'dwprc run SALES, or dwprc schedule set SALES …']);
    const invalid = kind({ invalid: 'Invalid frequency hour (valid: 0 .. 23).', nxtRunDt: null });
    assert.equal(invalid.answer, 'its schedule row (JOBSCHID 17) is invalid and does not fire: Invalid frequency hour (valid: 0 .. 23).');
    const ended = kind({ ended: true, enddt: '2026-02-28', nxtRunDt: null });
    assert.equal(ended.answer, 'its schedule has ended: no occurrence is left after its end date 2026-02-28 (JOBSCHID 17)');
    assert.equal(kind({ nxtRunDt: null }).kind, 'schedule-pending');
    const idle = { workers: { live: 0, slots: 0, busy: 0, windowSeconds: 90 } };
    assert.match(kind({ nxtRunDt: null }, idle).answer, /^its schedule is enabled, but its next run is not computed: no worker is alive/);
    const overdue = kind({ nxtRunDt: minutes(-10) }, idle);
    assert.equal(overdue.kind, 'no-workers');
    assert.match(overdue.answer, /^its next run was due at 2026-03-02 10:50:00 \+01:00 \(10m 00s ago\), but no worker is alive/);
    assert.equal(kind({ nxtRunDt: minutes(-10) }).kind, 'scheduled', 'a tick fires it within a second when workers are up');
  });

  test('a dependency child: waiting for its parent; a failed or stopped parent means it did not run', () => {
    const child = schedule({ parent: 'PARENT', nxtRunDt: null });
    const parentRun = (status: string, prcid = 200): RunFact => ({ prcid, status, start: '2026-03-02 07:00:00', end: '2026-03-02 07:30:00', message: status === 'FL' ? 'ORA-01555: snapshot too old' : null });
    const failed = decideWhy(facts({ schedule: child, parent: { mapref: 'PARENT', lastRun: parentRun('FL'), running: null } }));
    assert.equal(failed.kind, 'parent-failed');
    assert.equal(failed.answer, 'waiting for its parent PARENT, whose last run failed (PRCID 200 ended FL at 2026-03-02 07:30:00 (3h 30m 00s ago): ORA-01555: snapshot too old), so SALES did not run');
    assert.equal(failed.hint, 'it runs after the next successful run of PARENT');
    assert.match(decideWhy(facts({ schedule: child, parent: { mapref: 'PARENT', lastRun: parentRun('ST'), running: null } })).answer, /whose last run was stopped/);
    // The child ran after the parent's failure (run by hand): the parent's failure is old news.
    assert.equal(decideWhy(facts({ schedule: child, parent: { mapref: 'PARENT', lastRun: parentRun('FL', 50), running: null } })).kind, 'waiting-for-parent');
    const ok = decideWhy(facts({ schedule: child, parent: { mapref: 'PARENT', lastRun: parentRun('PC'), running: null } }));
    assert.equal(ok.answer, 'it runs after each successful run of its parent PARENT, not on its own frequency; its last run: PRCID 200 ended PC at 2026-03-02 07:30:00 (3h 30m 00s ago)');
    const busy = decideWhy(facts({ schedule: child, parent: { mapref: 'PARENT', lastRun: parentRun('FL'), running: runningReq({ requestId: 'P9' }) } }));
    assert.equal(busy.answer, 'it runs after each successful run of its parent PARENT, not on its own frequency; PARENT is running now (request P9)');
    assert.match(decideWhy(facts({ schedule: child, parent: { mapref: 'PARENT', lastRun: null, running: null } })).answer, /; PARENT has not run yet$/);
  });

  test('misfire: dropped occurrences (skip policy, DWJOBSCH.LST_SKIP_*) or a coalesced firing', () => {
    const skipped = decideWhy(facts({ schedule: schedule({ lastSkip: { at: minutes(-120), count: 3 } }) }));
    assert.equal(skipped.kind, 'misfire-skipped');
    assert.equal(
      skipped.answer,
      '3 missed occurrence(s), the latest at 2026-03-02 09:00:00 +01:00 (2h 00m 00s ago), were not run: no worker was up then and the misfire policy (DWPRC_MISFIRE) dropped them; next run at 2026-03-03 06:00:00 +01:00 (in 19h 00m 00s)',
    );
    // A firing after the drop makes it history.
    assert.equal(decideWhy(facts({ schedule: schedule({ lastSkip: { at: minutes(-60 * 6), count: 3 } }) })).kind, 'scheduled');
    const coalesced = decideWhy(facts({ lastFiring: { requestId: 'S17-202603020500', scheduledFor: '2026-03-02T06:00:00.000+01:00', skipped: 4, misfire: 'coalesce' } }));
    assert.equal(coalesced.kind, 'misfire-skipped');
    assert.match(coalesced.answer, /^its last scheduled run \(request S17-202603020500 for 2026-03-02T06:00:00.000\+01:00\) stood in for 4 missed occurrence\(s\) that did not run \(DWPRC_MISFIRE=coalesce\); next run at /);
  });

  test('evidence: one line per fact, always in the same order', () => {
    const lines = whyEvidence(
      facts({
        running: runningReq(),
        ...{ queued: [request({ requestId: 'Q1' }), request({ requestId: 'Q2' }), request({ requestId: 'Q3' })], queuedCount: 5 },
        schedule: schedule({ parent: 'PARENT', lastSkip: { at: minutes(-120), count: 3 } }),
        parent: { mapref: 'PARENT', lastRun: null, running: null },
      }),
    );
    assert.deepEqual(lines.map((l) => l.split(':')[0]), ['flow', 'running', 'queued', 'workers', 'last run', 'last finished request', 'schedule', 'misfire', 'parent PARENT', 'last firing']);
    assert.equal(lines[0], 'flow: DWLOGIC of JOBFLWID 1001');
    assert.match(lines[1]!, /^running: request RUN1 .*, attempt 1, lease until 2026-03-02 11:00:30 \+01:00$/);
    assert.match(lines[2]!, /^queued: 5 request\(s\): Q1 \(IMMEDIATE, since 2026-03-02 10:55:00, due, 0 attempt\(s\) so far\); Q2 .*; Q3 .*; …$/);
    assert.equal(lines[3], 'workers: 2 live, 1 of 8 slots busy');
    assert.match(lines[6]!, /^schedule: JOBSCHID 17, DL 06:00 from 2026-01-01, enabled, after PARENT, next run 2026-03-03 06:00:00 \+01:00, last fired /);
    const bare = whyEvidence(facts({ flow: { kind: 'typescript', file: '/flows/sales.js' }, lastRun: null, lastRequest: null, schedule: null, lastFiring: null, workers: { live: 0, slots: 0, busy: 0, windowSeconds: 90 } }));
    assert.deepEqual(bare, [
      'flow: TypeScript flow in /flows/sales.js',
      'running: nothing',
      'queued: nothing',
      'workers: no worker is alive (no DWPRCWRK heartbeat in the last 1m 30s)',
      'last run: none in DWPRCLOG',
      'last finished request: none',
      'schedule: none',
    ]);
  });
});

// ---- every combination of the facts that matter, against the documented order ----------

type Running = 'none' | 'live' | 'expired';
type Queue = 'none' | 'due' | 'later';
type Workers = 'none' | 'free' | 'busy';
type Outcome = 'none' | 'PC' | 'FL' | 'ST' | 'bad-row';
type Sched = 'none' | 'disabled' | 'invalid' | 'ended' | 'pending' | 'overdue' | 'ok';
/** null: not a dependency child; else the state of its parent. */
type Parent = 'never' | 'PC' | 'FL' | 'running';
type Misfire = 'none' | 'dropped' | 'coalesced';

interface Scenario {
  flow: boolean;
  running: Running;
  queue: Queue;
  workers: Workers;
  outcome: Outcome;
  sched: Sched;
  parent: Parent | null;
  misfire: Misfire;
}

function build(s: Scenario): WhyFacts {
  const run = (status: string): RunFact => ({ prcid: 100, status, start: '2026-03-02 06:00:00', end: '2026-03-02 06:05:00', message: `${status} message` });
  const done = (status: string, prcid: number | null = 100) =>
    request({ requestId: 'LAST', status, completedAt: '2026-03-02 06:05:01', prcid, resultMessage: `${status} result` });
  const outcome: Pick<WhyFacts, 'lastRun' | 'lastRequest'> = {
    none: { lastRun: null, lastRequest: null },
    PC: { lastRun: run('PC'), lastRequest: done('DONE') },
    FL: { lastRun: run('FL'), lastRequest: done('FAILED') },
    ST: { lastRun: run('ST'), lastRequest: done('CANCELLED') },
    'bad-row': { lastRun: { ...run('PC'), end: '2026-03-01 06:05:00' }, lastRequest: done('FAILED', null) },
  }[s.outcome];
  const sched: ScheduleFact | null =
    s.sched === 'none'
      ? null
      : schedule({
          enabled: s.sched !== 'disabled',
          parent: s.parent === null ? null : 'PARENT',
          invalid: s.sched === 'invalid' ? 'Invalid frequency code (Valid: ID,DL,WK,FN,MN,HY,YR).' : null,
          ended: s.sched === 'ended',
          nxtRunDt: s.sched === 'ok' ? minutes(60) : s.sched === 'overdue' ? minutes(-10) : null,
          lastSkip: s.misfire === 'dropped' ? { at: minutes(-30), count: 2 } : null,
        });
  const parentRun = (status: string): RunFact => ({ prcid: 200, status, start: '2026-03-02 07:00:00', end: '2026-03-02 07:10:00', message: null });
  return facts({
    flow: s.flow ? { kind: 'dwlogic', jobflwid: 1 } : { kind: 'none', reason: 'No active job flow found for SALES' },
    running: s.running === 'none' ? null : runningReq({ leaseExpiresAt: minutes(s.running === 'live' ? 0.5 : -5) }),
    ...(s.queue === 'none'
      ? queue()
      : queue(request({ requestId: 'Q1', attempts: s.queue === 'later' ? 1 : 0, runAfter: s.queue === 'later' ? minutes(5) : null, resultStatus: s.queue === 'later' ? 'RETRYING' : null }))),
    workers: { ...{ none: { live: 0, slots: 0, busy: 0 }, free: { live: 1, slots: 4, busy: 1 }, busy: { live: 1, slots: 4, busy: 4 } }[s.workers], windowSeconds: 90 },
    ...outcome,
    schedule: sched,
    parent:
      s.parent === null
        ? null
        : {
            mapref: 'PARENT',
            lastRun: s.parent === 'never' ? null : s.parent === 'running' ? parentRun('FL') : parentRun(s.parent),
            running: s.parent === 'running' ? runningReq({ requestId: 'P1' }) : null,
          },
    lastFiring: sched ? { requestId: 'S17-202603020500', scheduledFor: null, skipped: s.misfire === 'coalesced' ? 3 : 0, misfire: s.misfire === 'coalesced' ? 'coalesce' : null } : null,
  });
}

/** The order of precedence as the README states it, over scenario descriptions rather than facts. */
function expected(s: Scenario): WhyKind {
  if (!s.flow) return 'no-flow';
  if (s.running !== 'none' && s.queue !== 'none') return 'queued-behind';
  if (s.running !== 'none') return 'running';
  if (s.queue === 'due' && s.workers === 'none') return 'no-workers';
  if (s.queue === 'later') return 'retry-pending';
  if (s.queue === 'due') return 'queued';
  if (s.sched === 'disabled') return 'schedule-disabled';
  if (s.parent === 'FL') return 'parent-failed';
  if (s.outcome === 'FL' || s.outcome === 'bad-row') return 'failed';
  if (s.outcome === 'ST') return 'stopped';
  if (s.sched === 'none') return 'not-scheduled';
  if (s.parent !== null) return 'waiting-for-parent';
  if (s.sched === 'invalid') return 'schedule-invalid';
  if (s.sched === 'ended') return 'schedule-ended';
  if (s.sched === 'pending') return s.workers === 'none' ? 'no-workers' : 'schedule-pending';
  if (s.sched === 'overdue' && s.workers === 'none') return 'no-workers';
  if (s.misfire !== 'none') return 'misfire-skipped';
  return 'scheduled';
}

function* scenarios(): Generator<Scenario> {
  for (const flow of [true, false])
    for (const running of ['none', 'live', 'expired'] as const)
      for (const queue of ['none', 'due', 'later'] as const)
        for (const workers of ['none', 'free', 'busy'] as const)
          for (const outcome of ['none', 'PC', 'FL', 'ST', 'bad-row'] as const)
            for (const sched of ['none', 'disabled', 'invalid', 'ended', 'pending', 'overdue', 'ok'] as const)
              for (const parent of sched === 'none' ? [null] : ([null, 'never', 'PC', 'FL', 'running'] as const))
                for (const misfire of sched === 'none' ? (['none'] as const) : (['none', 'dropped', 'coalesced'] as const))
                  yield { flow, running, queue, workers, outcome, sched, parent, misfire };
}

describe('dwprc why: every combination of facts', () => {
  test('one answer each, the one the documented precedence names, with its evidence', () => {
    let count = 0;
    const seen = new Set<WhyKind>();
    for (const s of scenarios()) {
      const f = build(s);
      const a = decideWhy(f);
      assert.equal(a.kind, expected(s), JSON.stringify(s));
      assert.ok(a.answer.length > 0 && !a.answer.includes('undefined') && !a.answer.includes('null'), `${JSON.stringify(s)}: ${a.answer}`);
      // The answer names what it is about.
      if (a.kind === 'running' || a.kind === 'queued-behind') assert.match(a.answer, /RUN1.*etl1:42:a/);
      if (['queued-behind', 'queued', 'retry-pending'].includes(a.kind)) assert.match(a.answer, /Q1/);
      if (a.kind === 'parent-failed' || a.kind === 'waiting-for-parent') assert.match(a.answer, /PARENT/);
      seen.add(a.kind);
      count++;
    }
    assert.equal(count, 2 * 3 * 3 * 3 * 5 * (1 + 6 * 5 * 3));
    assert.equal(seen.size, 17, 'every kind of answer is reachable');
  });
});
