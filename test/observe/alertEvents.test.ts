import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExecuteRequest, ExecutionContext, Outcome } from '../../src/engine/execution.js';
import { alertOnFailedRuns, leaseReapedAlert, misfireSkippedAlert, requestFailedAlert, runFailedAlert } from '../../src/observe/alertEvents.js';
import { createAlerter } from '../../src/observe/alerts.js';
import { createLogger } from '../../src/observe/logger.js';
import type { ImmediateRequest } from '../../src/queue/request.js';
import { startReceiver } from '../support/webhookReceiver.js';

const log = createLogger({ level: 'silent', destination: process.stderr, pretty: false });
const request: ImmediateRequest = {
  type: 'IMMEDIATE', requestId: 'r1', mapref: 'M1', payload: {}, attempts: 1, params: [], truncate: false, maxAttempts: null, firing: null, unrecordedPrcid: null,
};
const failedRun: Outcome = { status: 'FAILED', started: true, result: { status: 'FAILED', message: 'ORA-01722: invalid number', prcid: 12 } };

describe('alert events', () => {
  test('run_failed only for a started run that failed, with its PRCID (the last day of a history)', () => {
    assert.deepEqual(runFailedAlert(request, failedRun), {
      event: 'run_failed', mapref: 'M1', requestId: 'r1', requestType: 'IMMEDIATE', prcid: 12, message: 'ORA-01722: invalid number',
    });
    const history: Outcome = { status: 'FAILED', started: true, result: { status: 'FAILED', message: 'day 3 failed', prcids: [4, 5, 6] } };
    assert.equal(runFailedAlert({ ...request, type: 'HISTORY' }, history)!.prcid, 6);
    assert.equal(runFailedAlert(request, { ...failedRun, started: false }), null);
    assert.equal(runFailedAlert(request, { status: 'DONE', started: true, result: { status: 'DONE', message: 'ok' } }), null);
  });

  test('request_failed, lease_reaped and misfire_skipped carry what an operator needs', () => {
    const row = { requestId: 'r9', mapref: 'M9', requestType: 'HISTORY', attempts: 3, prcid: null };
    assert.equal(requestFailedAlert(row, 'bad payload').message, 'bad payload');
    assert.match(requestFailedAlert(row).message, /^request r9 ended FAILED/);
    assert.deepEqual(leaseReapedAlert({ requestId: 'r2', mapref: 'M2', claimedBy: 'h:1:a', prcid: 40, outcome: 'NEW', runSession: 'none', unrecorded: false }), {
      event: 'lease_reaped', mapref: 'M2', requestId: 'r2', prcid: 40, claimedBy: 'h:1:a', outcome: 'NEW',
      message: 'lease of h:1:a expired; request queued again, run 40 closed FL',
    });
    assert.equal(leaseReapedAlert({ requestId: 'r3', mapref: 'M3', claimedBy: 'h:1:a', prcid: null, outcome: 'FAILED', runSession: null, unrecorded: false }).message, 'lease of h:1:a expired; request ended FAILED');
    assert.equal(
      leaseReapedAlert({ requestId: 'r4', mapref: 'M4', claimedBy: 'h:2:b', prcid: 41, outcome: 'NEW', runSession: 'ended', unrecorded: false }).message,
      'lease of h:2:b expired; request queued again, run 41 closed FL; its database session was still executing it and has been ended',
    );
    assert.deepEqual(misfireSkippedAlert({ jobschid: 7, mapref: 'M7', skipped: 23, policy: 'coalesce' }), {
      event: 'misfire_skipped', mapref: 'M7', jobschid: 7, skipped: 23, policy: 'coalesce',
      message: '23 missed occurrence(s) of schedule 7 skipped (DWPRC_MISFIRE=coalesce)',
    });
  });

  test('alertOnFailedRuns posts run_failed for failed runs and hands every outcome back unchanged', async () => {
    const receiver = await startReceiver('/hook');
    const alerter = createAlerter({ url: receiver.url, log, worker: 'w1', retryBaseMs: 10 });
    const outcomes: Outcome[] = [failedRun, { status: 'DONE', started: true, result: { status: 'DONE', message: 'ok', prcid: 13 } }];
    const engine: ExecuteRequest = async () => outcomes.shift()!;
    const execute = alertOnFailedRuns(engine, alerter);
    const context = {} as ExecutionContext;
    try {
      assert.equal(await execute(request, context), failedRun);
      assert.equal((await execute({ ...request, requestId: 'r2' }, context)).status, 'DONE');
      await alerter.close(5000);
      assert.deepEqual(receiver.received.map((r) => [(r.body as { event: string }).event, (r.body as { requestId: string }).requestId]), [['run_failed', 'r1']]);
    } finally {
      await receiver.close();
    }
  });
});
