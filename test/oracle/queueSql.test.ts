import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { claimCandidatesQuery, claimUpdateStatement } from '../../src/db/dialects/oracle.js';
import { cancelQueuedStatement, requestStatusQuery, retryFailedStatement } from '../../src/queue/cancelRequest.js';
import { completeStatement } from '../../src/db/requestRow.js';
import { resultJson } from '../../src/queue/result.js';
import { childSchedulesQuery } from '../../src/scheduler/fanOut.js';
import { activeFlowQuery, insertRequestStatement } from '../../src/queue/enqueue.js';
import { cancelQueuedByStopStatement, markRunningStatement, runStartedAtQuery, startSecond, stopTargetsQuery } from '../../src/queue/markStop.js';
import { deleteFinishedStatement, finishedRequestsCount, finishedRequestsPage } from '../../src/queue/pruneRequests.js';
import { stopMarksQuery } from '../../src/queue/readStopMarks.js';
import { expiredLeasesQuery } from '../../src/queue/reapExpiredLeases.js';
import { releaseStatement } from '../../src/queue/releaseRequest.js';
import { heldLeasesQuery, renewLeasesStatement } from '../../src/queue/renewLeases.js';
import { assertOracleSql, compileOnlyOracle } from './oracleSqlRules.js';

/** Every statement of the queue, compiled by the code the worker runs, checked against ORACLE.md. */
describe('queue SQL on Oracle, as compiled', () => {
  const d = compileOnlyOracle();
  const WORKER = 'host-a:4711:c0ffee';
  const REQUEST = 'req-9f1c';

  test('claim: an ORDER BY … FOR UPDATE SKIP LOCKED cursor with no ROWNUM/FETCH FIRST/LIMIT, the window left to the driver', () => {
    const q = assertOracleSql(claimCandidatesQuery(d.db, 16));
    // REQUEST_TYPE and MAPREF are compared unpadded (the padding characters bound), as the parser reads them.
    const type = (a: string, n: number) => `UPPER(RTRIM(LTRIM("${a}"."REQUEST_TYPE", :${n}), :${n + 1}))`;
    assert.equal(
      q.sql,
      'select "Q"."REQUEST_ID", "Q"."MAPREF", "Q"."REQUEST_TYPE", "Q"."PAYLOAD", "Q"."ATTEMPTS", "Q"."PRCID", "Q"."STOP_REQUESTED" ' +
        'from "DWPRCREQ" "Q" where "Q"."STATUS" = :1 and ("Q"."RUN_AFTER" is null or "Q"."RUN_AFTER" <= SYS_EXTRACT_UTC(SYSTIMESTAMP)) ' +
        `and not (${type('Q', 2)} in (:4, :5) and exists (select 1 "ONE" from "DWPRCREQ" "C" where "C"."MAPREF" = NVL(RTRIM(LTRIM("Q"."MAPREF", :6), :7), "Q"."MAPREF") ` +
        `and "C"."STATUS" = :8 and ${type('C', 9)} in (:11, :12))) ` +
        // Requests left to other services (the default rules: FILE_UPLOAD, REPORT on REPORT:…) are never fetched, so never locked.
        `and not (case when (${type('Q', 13)} = :15 or (${type('Q', 16)} = :18 and substr(NVL(RTRIM(LTRIM("Q"."MAPREF", :19), :20), "Q"."MAPREF"), 1, :21) = :22)) ` +
        'and ("Q"."PAYLOAD" is null or "Q"."PAYLOAD" not like :23) then 1 else 0 end = 1) ' +
        'order by "Q"."REQUESTED_AT" for update skip locked',
    );
    const pad = ' \t\n\r\u000b\f';
    assert.deepEqual(q.parameters, [
      'NEW', pad, pad, 'IMMEDIATE', 'HISTORY', pad, pad, 'CLAIMED', pad, pad, 'IMMEDIATE', 'HISTORY',
      pad, pad, 'FILE_UPLOAD', pad, pad, 'REPORT', pad, pad, 7, 'REPORT:', '%"sql_code"%',
    ]);
  });

  test('claim: the update of the picked ids, the server clock for CLAIMED_AT, a UTC lease', () => {
    const q = assertOracleSql(claimUpdateStatement(d.db, d, WORKER, ['r-1', 'r-2'], 30_000), { binds: [WORKER, 'r-1', 'r-2', 30] });
    assert.match(
      q.sql,
      new RegExp(
        '^update "DWPRCREQ" set "STATUS" = :1, "CLAIMED_BY" = :2, "CLAIMED_AT" = CAST\\(SYSTIMESTAMP AS TIMESTAMP\\), ' +
          `"LEASE_EXPIRES_AT" = \\(SYS_EXTRACT_UTC\\(SYSTIMESTAMP\\) \\+ NUMTODSINTERVAL\\(:3, 'SECOND'\\)\\), "ATTEMPTS" = "ATTEMPTS" \\+ 1, ` +
          '"REQUEST_TYPE" = CASE WHEN .* END, "MAPREF" = CASE WHEN .* END where "REQUEST_ID" in \\(:16, :17\\) and "STATUS" = :18$',
      ),
    );
  });

  test('complete and release: guarded by CLAIMED_BY and CLAIMED', () => {
    const done = assertOracleSql(completeStatement(d.db, d, { requestId: REQUEST, claimedBy: WORKER }, 'DONE', resultJson({ status: 'DONE', message: 'all good' })), {
      binds: [REQUEST, WORKER, '{"status":"DONE","message":"all good"}'],
    });
    assert.equal(
      done.sql,
      'update "DWPRCREQ" set "STATUS" = :1, "RESULT_PAYLOAD" = :2, "COMPLETED_AT" = CAST(SYSTIMESTAMP AS TIMESTAMP), "LEASE_EXPIRES_AT" = :3 ' +
        'where "REQUEST_ID" = :4 and "CLAIMED_BY" = :5 and "STATUS" = :6',
    );
    // A parent completes in one statement when it has no dependency children to queue: no ORDER BY in the NOT EXISTS.
    const parent = assertOracleSql(completeStatement(d.db, d, { requestId: REQUEST, claimedBy: WORKER }, 'DONE', resultJson({ status: 'DONE', message: 'ok' }), childSchedulesQuery(d.db.withoutPlugins(), 'MAP_PARENT')), {
      binds: [REQUEST, WORKER, 'MAP_PARENT'],
    });
    assert.ok(
      parent.sql.endsWith(
        'and "STATUS" = :6 and not exists (select "C"."JOBSCHID", "C"."MAPREF" from "DWJOBSCH" "C" inner join "DWJOBSCH" "P" on "P"."JOBSCHID" = "C"."DPND_JOBSCHID" ' +
          'where "C"."CURFLG" = :7 and "P"."MAPREF" = :8 and "C"."SCHFLG" = :9)',
      ),
      parent.sql,
    );
    const later = assertOracleSql(releaseStatement(d, REQUEST, WORKER, { delayMs: 5000, refundAttempt: true, note: { status: 'NEW', message: 'released' } }), {
      binds: [REQUEST, WORKER, 5],
    });
    assert.match(later.sql, /"PRCID" = :5, "RUN_AFTER" = \(SYS_EXTRACT_UTC\(SYSTIMESTAMP\) \+ NUMTODSINTERVAL\(:6, 'SECOND'\)\), "ATTEMPTS" = "ATTEMPTS" - 1, .* where "REQUEST_ID" = :8 and "CLAIMED_BY" = :9 and "STATUS" = :10$/);
    assertOracleSql(releaseStatement(d, REQUEST, WORKER, { delayMs: 0, refundAttempt: false, note: { status: 'NEW', message: 'again' } }), { binds: [REQUEST, WORKER] });
  });

  test('heartbeat: renew and read back the leases held, stop marks', () => {
    const renew = assertOracleSql(renewLeasesStatement(d, WORKER, ['r-1', 'r-2'], 30_000), { binds: [WORKER, 'r-1', 'r-2', 30] });
    assert.equal(
      renew.sql,
      `update "DWPRCREQ" set "LEASE_EXPIRES_AT" = (SYS_EXTRACT_UTC(SYSTIMESTAMP) + NUMTODSINTERVAL(:1, 'SECOND')) where "REQUEST_ID" in (:2, :3) and "CLAIMED_BY" = :4 and "STATUS" = :5`,
    );
    assertOracleSql(heldLeasesQuery(d, WORKER, ['r-1']), { binds: [WORKER, 'r-1'] });
    const marks = assertOracleSql(stopMarksQuery(d, WORKER, ['r-1']), { binds: [WORKER, 'r-1'] });
    assert.equal(marks.sql, 'select "REQUEST_ID", "STOP_REQUESTED", "STOP_REQUEST_ID" from "DWPRCREQ" where "REQUEST_ID" in (:1) and "CLAIMED_BY" = :2 and "STOP_REQUESTED" in (:3, :4)');
  });

  test('reaper: a FETCH FIRST page of expired leases, without a lock', () => {
    const expired = assertOracleSql(expiredLeasesQuery(d, 50));
    assert.equal(
      expired.sql,
      'select "REQUEST_ID", "MAPREF" from "DWPRCREQ" where "STATUS" = :1 and "LEASE_EXPIRES_AT" < SYS_EXTRACT_UTC(SYSTIMESTAMP) order by "LEASE_EXPIRES_AT" fetch first :2 rows only',
    );
  });

  test('enqueue, cancel, retry: values bound, the server clock for REQUESTED_AT and COMPLETED_AT', () => {
    assertOracleSql(activeFlowQuery(d, 'MAP_ENQ'), { binds: ['MAP_ENQ'] });
    const insert = assertOracleSql(insertRequestStatement(d.db, d, { requestId: REQUEST, mapref: 'MAP_ENQ', requestType: 'IMMEDIATE', payload: '{"param1":"x"}' }), {
      binds: [REQUEST, 'MAP_ENQ', '{"param1":"x"}'],
    });
    assert.equal(insert.sql, 'insert into "DWPRCREQ" ("REQUEST_ID", "MAPREF", "REQUEST_TYPE", "PAYLOAD", "STATUS", "REQUESTED_AT") values (:1, :2, :3, :4, :5, CAST(SYSTIMESTAMP AS TIMESTAMP))');
    assertOracleSql(requestStatusQuery(d, REQUEST), { binds: [REQUEST] });
    assertOracleSql(cancelQueuedStatement(d, REQUEST, 'cancelled by hand'), { binds: [REQUEST, '{"status":"CANCELLED","message":"cancelled by hand"}'] });
    const retry = assertOracleSql(retryFailedStatement(d, REQUEST), { binds: [REQUEST] });
    assert.match(retry.sql, /^update "DWPRCREQ" set "STATUS" = :1, "ATTEMPTS" = :2, .*"PRCID" = :10, .* where "REQUEST_ID" = :12 and "STATUS" = :13$/);
  });

  test('STOP: targets by id, by the STRTDT second of the claimed run (whatever its row says), or the MAPREF; queued targets cancelled, running ones marked', () => {
    assertOracleSql(stopTargetsQuery(d).where('requestId', '=', REQUEST), { binds: [REQUEST] });
    assertOracleSql(stopTargetsQuery(d).where('mapref', '=', 'MAP_STOP').where('status', '=', 'CLAIMED'), { binds: ['MAP_STOP'] });
    // The run's request, CLAIMED, found through its run row whatever that row's STATUS (the later UI sets it FL itself).
    const started = assertOracleSql(runStartedAtQuery(d, 'MAP_STOP', startSecond('2027-03-05 10:00:00')!), {
      binds: ['MAP_STOP', new Date('2027-03-05T10:00:00Z'), new Date('2027-03-05T10:00:01Z')],
    });
    assert.equal(
      started.sql,
      'select "R"."REQUEST_ID", "R"."STATUS", "R"."CLAIMED_BY", "R"."PRCID", "R"."REQUEST_TYPE" from "DWPRCREQ" "R" inner join "DWPRCLOG" "L" on "L"."PRCID" = "R"."PRCID" ' +
        'where "R"."STATUS" = :1 and "L"."MAPREF" = :2 and "L"."STRTDT" >= :3 and "L"."STRTDT" < :4',
    );
    assertOracleSql(cancelQueuedByStopStatement(d, REQUEST, 'stop-77'), { binds: [REQUEST, 'stop-77'] });
    const mark = assertOracleSql(markRunningStatement(d.db, REQUEST, { force: true, requestId: 'stop-77' }), { binds: [REQUEST, 'stop-77'] });
    assert.equal(mark.sql, 'update "DWPRCREQ" set "STOP_REQUESTED" = :1, "STOP_REQUEST_ID" = :2 where "REQUEST_ID" = :3 and "STATUS" = :4');
  });

  test('prune: count, keyset page and the re-checking delete', () => {
    const cutoff = d.localNowPlus(-86_400_000);
    assertOracleSql(finishedRequestsCount(d.db, cutoff), { binds: [-86_400] });
    assertOracleSql(finishedRequestsPage(d.db, cutoff, 'req-after', 500), { binds: ['req-after', 500] });
    const del = assertOracleSql(deleteFinishedStatement(d.db, cutoff, ['req-a', 'req-b']), { binds: ['req-a', 'req-b'] });
    assert.equal(
      del.sql,
      `delete from "DWPRCREQ" where "REQUEST_ID" in (:1, :2) and "STATUS" in (:3, :4, :5) and "COMPLETED_AT" < (CAST(SYSTIMESTAMP AS TIMESTAMP) + NUMTODSINTERVAL(:6, 'SECOND'))`,
    );
  });

  test('a DMS_ install: the same statements on DMS_PRCREQ', () => {
    const dms = compileOnlyOracle('DMS_');
    assert.match(claimCandidatesQuery(dms.db, 16).compile().sql, /from "DMS_PRCREQ" "Q" .* from "DMS_PRCREQ" "C"/);
    assert.match(renewLeasesStatement(dms, WORKER, ['r'], 1000).compile().sql, /^update "DMS_PRCREQ"/);
  });
});
