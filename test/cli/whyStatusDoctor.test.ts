import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { doctorText } from '../../src/cli/doctor.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli } from '../support/cli.js';

const SECOND = 1000;

describe('dwprc why, status and doctor (the built CLI)', () => {
  let t: TestDatabase;
  let env: Record<string, string>;

  before(async () => {
    t = await createTestDatabase();
    env = { DWPRC_DATABASE_URL: t.url, DWPRC_TIMEZONE: 'UTC' };
    const db = t.dialect.db;
    await db.insertInto('dwjobflw').values({ jobflwid: 1, jobid: 1, mapref: 'SALES', dwlogic: 'DO $$ BEGIN NULL; END $$', stflg: 'A', curflg: 'Y' }).execute();
    // SALES failed 10 minutes ago. LOADER: three runs of 10 s, and now one 60 s in.
    await db.insertInto('dwprclog').values({ prcid: 1, mapref: 'SALES', status: 'FL', msg: 'ORA-00942: table or view does not exist', strtdt: t.dialect.localNowPlus(-600 * SECOND), enddt: t.dialect.localNowPlus(-590 * SECOND) }).execute();
    await db
      .insertInto('dwprcreq')
      .values({ requestId: 'R-SALES', mapref: 'SALES', requestType: 'IMMEDIATE', status: 'FAILED', prcid: 1, attempts: 1, completedAt: t.dialect.localNowPlus(-589 * SECOND), resultPayload: JSON.stringify({ status: 'FAILED', message: 'ORA-00942: table or view does not exist' }) })
      .execute();
    for (const prcid of [2, 3, 4]) {
      await db.insertInto('dwprclog').values({ prcid, mapref: 'LOADER', status: 'PC', strtdt: t.dialect.localNowPlus(-3600 * SECOND), enddt: t.dialect.localNowPlus(-3590 * SECOND) }).execute();
    }
    await db.insertInto('dwprclog').values({ prcid: 5, mapref: 'LOADER', status: 'IP', strtdt: t.dialect.localNowPlus(-60 * SECOND) }).execute();
    await db
      .insertInto('dwprcreq')
      .values({ requestId: 'R-LOADER', mapref: 'LOADER', requestType: 'IMMEDIATE', status: 'CLAIMED', claimedBy: 'etl1:7:a', claimedAt: t.dialect.localNowPlus(-61 * SECOND), prcid: 5, attempts: 1, leaseExpiresAt: t.dialect.utcNowPlus(20 * SECOND) })
      .execute();
  });
  after(() => t.drop());

  test('why --json: kind, answer, hint, evidence and the facts; a table for humans', async () => {
    const r = await runCli(['why', 'SALES', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.mapref, 'SALES');
    assert.equal(report.kind, 'failed');
    assert.match(report.answer, /^the last run failed: PRCID 1 ended FL at .*: ORA-00942: table or view does not exist; request R-SALES FAILED at .*; no retry is pending$/);
    assert.equal(report.hint, 'dwprc retry R-SALES queues it again (or dwprc run SALES)');
    assert.equal(report.facts.zone, 'UTC');
    assert.equal(report.facts.lastRequest.requestId, 'R-SALES');
    assert.equal(report.evidence[0], 'flow: DWLOGIC of JOBFLWID 1');

    const human = await runCli(['why', ' SALES '], env);
    assert.equal(human.code, 0, human.stderr);
    const lines = human.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^SALES: the last run failed: /);
    assert.equal(lines[1], '  → dwprc retry R-SALES queues it again (or dwprc run SALES)');
    assert.equal(lines[3], 'evidence:');
    assert.equal(lines[4], '  flow: DWLOGIC of JOBFLWID 1');
    assert.equal(lines.at(-1), '(request and run times: the database clock, as stored; schedule, lease and retry times: UTC)');
  });

  test('status: expected finish and OVERDUE in the table; the same as JSON fields', async () => {
    const r = await runCli(['status'], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const header = lines[lines.indexOf('RUNNING') + 1]!;
    assert.match(header, /^REQUESTID\s+MAPREF\s+REQUESTTYPE\s+CLAIMEDBY\s+AGESECONDS\s+PRCID\s+STOPREQUESTED\s+EXPECTEDFINISH\s+OVERDUE$/);
    assert.match(lines[lines.indexOf('RUNNING') + 2]!, /^R-LOADER\s+LOADER\s+IMMEDIATE\s+etl1:7:a\s+6\d\s+5\s+N\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(~10s, 3 runs\)\s+OVERDUE \(p95 10s\)$/);
    const json = JSON.parse((await runCli(['status', '--json'], env)).stdout);
    const loader = json.running.find((x: { requestId: string }) => x.requestId === 'R-LOADER');
    assert.deepEqual([loader.expectedSeconds, loader.p95Seconds, loader.basedOnRuns, loader.overdue], [10, 10, 3, true]);
    assert.equal(new Date(loader.expectedFinish).getTime() - new Date(loader.startedAt).getTime(), 10 * SECOND);
  });

  test('doctor: warnings alone exit 0; a failing check prints its fix and "problems found"', async () => {
    const r = await runCli(['doctor'], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^workers\s+warn\s+no live worker/m);
    assert.match(r.stdout, /^leases\s+ok\s+/m);
    assert.match(r.stdout, /\nhealthy\n$/);
    const text = doctorText({
      healthy: false, dialect: 'oracle', serverVersion: 'Oracle 19c',
      checks: [
        { name: 'connect', status: 'ok', detail: 'oracle: 19c' },
        { name: 'legacy scheduler', status: 'fail', detail: '1 object', fix: "BEGIN\n  DBMS_SCHEDULER.DISABLE(name => 'DW.JOB_SALES', force => TRUE);\nEND;\n/" },
      ],
    });
    assert.equal(
      text,
      [
        'NAME              STATUS  DETAIL',
        'connect           ok      oracle: 19c',
        'legacy scheduler  fail    1 object',
        '',
        'to fix "legacy scheduler", run as the owner of the DW schema:',
        'BEGIN',
        "  DBMS_SCHEDULER.DISABLE(name => 'DW.JOB_SALES', force => TRUE);",
        'END;',
        '/',
        '',
        'problems found',
      ].join('\n'),
    );
  });
});
