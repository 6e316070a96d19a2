import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { advanceScheduleStatement, insertRequestRowStatement, oracleValueQuery } from '../../src/db/dialects/oracle.js';
import { existingRequestsQuery } from '../../src/queue/enqueue.js';
import { childSchedulesQuery } from '../../src/scheduler/fanOut.js';
import { scheduleLinksQuery } from '../../src/scheduler/scheduleLinks.js';
import { schedulesToInitialise, writeNextRunStatement } from '../../src/scheduler/initialiseSchedule.js';
import { clearInactiveStatement, dueSchedulesQuery, lockDueSchedules, nextDueQuery } from '../../src/scheduler/tick.js';
import { deregisterWorkerStatement, forgetDeadWorkersStatement, heartbeatWorkerStatement, registerWorkerStatement } from '../../src/worker/registry.js';
import { assertOracleSql, compileOnlyOracle } from './oracleSqlRules.js';

/** The scheduler tick, schedule initialisation, dependency fan-out and the worker registry on Oracle. */
describe('scheduler and worker registry SQL on Oracle, as compiled', () => {
  const d = compileOnlyOracle();
  const ZONE = 'Europe/London';
  const NOW = DateTime.fromISO('2027-03-05T10:00:00Z', { zone: 'utc' });
  /** The signature of the rule fields, as both databases evaluate it: '' and '|' are its only literals. */
  const SIGNATURE =
    `(coalesce("FRQCD" || '', '') || '|' || coalesce("FRQDD" || '', '') || '|' || coalesce("FRQHH" || '', '') || '|' || coalesce("FRQMI" || '', '')\n` +
    `    || '|' || coalesce(to_char("STRTDT", :F1), '') || '|' || coalesce(to_char("ENDDT", :F2), '') || '|' || :Z)`;
  const signature = (f1: number) => SIGNATURE.replace(':F1', `:${f1}`).replace(':F2', `:${f1 + 1}`).replace(':Z', `:${f1 + 2}`);

  test('the clock of a tick comes FROM DUAL', () => {
    assert.equal(assertOracleSql(oracleValueQuery(d.utcNow()).compile(d.db)).sql, 'SELECT SYS_EXTRACT_UTC(SYSTIMESTAMP) AS "v" FROM DUAL');
  });

  test('disabled schedules and dependency children lose their NXT_RUN_DT', () => {
    const q = assertOracleSql(clearInactiveStatement(d.db));
    assert.equal(
      q.sql,
      'update "DWJOBSCH" set "NXT_RUN_DT" = :1, "NXT_RUN_SIG" = :2 where "CURFLG" = :3 and ("SCHFLG" is null or "SCHFLG" <> :4 or "DPND_JOBSCHID" is not null) ' +
        'and ("NXT_RUN_DT" is not null or "NXT_RUN_SIG" is not null)',
    );
  });

  test('initialise: own schedules whose signature is missing or stale; the write re-checks it', () => {
    const read = assertOracleSql(schedulesToInitialise(d.db, ZONE), { binds: [ZONE] });
    assert.equal(
      read.sql,
      'select "JOBSCHID", "MAPREF", "FRQCD", "FRQDD", "FRQHH", "FRQMI", "STRTDT", "ENDDT", "NXT_RUN_DT" from "DWJOBSCH" ' +
        `where "CURFLG" = :1 and "SCHFLG" = :2 and "DPND_JOBSCHID" is null and ("NXT_RUN_SIG" is null or "NXT_RUN_SIG" <> ${signature(3)})`,
    );
    assert.deepEqual(read.parameters, ['Y', 'Y', 'YYYY-MM-DD HH24:MI:SS', 'YYYY-MM-DD', ZONE], 'the TO_CHAR formats are binds too');
    const row = { jobschid: 7, mapref: 'MAP_SCH', frqcd: 'DL', frqdd: null, frqhh: '09', frqmi: '30', strtdt: new Date('2027-03-01T00:00:00Z'), enddt: null, nxtRunDt: null };
    const write = assertOracleSql(writeNextRunStatement(d.db, row, ZONE, NOW), { binds: [NOW.toJSDate(), 'DL||09|30|2027-03-01 00:00:00||Europe/London', 7] });
    assert.equal(write.sql, `update "DWJOBSCH" set "NXT_RUN_DT" = :1, "NXT_RUN_SIG" = :2 where "JOBSCHID" = :3 and ("NXT_RUN_SIG" is null or "NXT_RUN_SIG" <> ${signature(4)})`);
  });

  test('due schedules: a FETCH FIRST page without a lock; a chunk of them then locked by id list with FOR UPDATE SKIP LOCKED and no row limit', () => {
    const due = assertOracleSql(dueSchedulesQuery(d.db, ZONE, NOW), { binds: [NOW.toJSDate(), ZONE, 500] });
    assert.equal(
      due.sql,
      'select "JOBSCHID" from "DWJOBSCH" where "CURFLG" = :1 and "SCHFLG" = :2 and "DPND_JOBSCHID" is null and "NXT_RUN_DT" <= :3 ' +
        `and "NXT_RUN_SIG" = ${signature(4)} order by "NXT_RUN_DT" fetch first :7 rows only`,
    );
    const lock = assertOracleSql(lockDueSchedules(d.db, ZONE, [7, 8, 9], NOW), { binds: [7, 8, 9, NOW.toJSDate(), ZONE] });
    assert.equal(
      lock.sql,
      'select "JOBSCHID", "MAPREF", "FRQCD", "FRQDD", "FRQHH", "FRQMI", "STRTDT", "ENDDT", "NXT_RUN_DT" from "DWJOBSCH" ' +
        `where "JOBSCHID" in (:1, :2, :3) and "CURFLG" = :4 and "SCHFLG" = :5 and "NXT_RUN_DT" <= :6 and "NXT_RUN_SIG" = ${signature(7)} for update skip locked`,
    );
    assert.doesNotMatch(lock.sql, /rownum|fetch first/i);
  });

  test('when the next tick is needed: the earliest NXT_RUN_DT of the own schedules computed under this zone', () => {
    const next = assertOracleSql(nextDueQuery(d.db, ZONE), { binds: ['Y', 'Y', 'YYYY-MM-DD HH24:MI:SS', 'YYYY-MM-DD', ZONE] });
    assert.equal(next.sql, `select min("NXT_RUN_DT") "NEXT" from "DWJOBSCH" where "CURFLG" = :1 and "SCHFLG" = :2 and "DPND_JOBSCHID" is null and "NXT_RUN_SIG" = ${signature(3)}`);
  });

  test('firing: existing ids looked up, requests queued, NXT_RUN_DT advanced (LST_RUN_DT with a firing, LST_SKIP_DT/CNT with a drop)', () => {
    assertOracleSql(existingRequestsQuery(d.db, ['S7-202703051000', 'S7-202703051100']), { binds: ['S7-202703051000', 'S7-202703051100'] });
    assertOracleSql(insertRequestRowStatement(d.db, d, { requestId: 'S7-202703051000', mapref: 'MAP_A', requestType: 'IMMEDIATE', payload: '{}' }), {
      binds: ['S7-202703051000', 'MAP_A', 'IMMEDIATE', '{}', 'NEW'],
    });
    const next = NOW.plus({ days: 1 }).toJSDate();
    const at = NOW.toJSDate();
    const advance = assertOracleSql(advanceScheduleStatement(d.db, { jobschid: 7, nxtRunDt: next, lstRunDt: at, skipped: null }), { binds: [next, at, 7] });
    assert.equal(advance.sql, 'update "DWJOBSCH" set "NXT_RUN_DT" = :1, "LST_RUN_DT" = :2 where "JOBSCHID" = :3');
    const skip = assertOracleSql(advanceScheduleStatement(d.db, { jobschid: 7, nxtRunDt: next, lstRunDt: null, skipped: { last: at, count: 4 } }), { binds: [next, at, 4, 7] });
    assert.equal(skip.sql, 'update "DWJOBSCH" set "NXT_RUN_DT" = :1, "LST_SKIP_DT" = :2, "LST_SKIP_CNT" = :3 where "JOBSCHID" = :4');
    assert.equal(assertOracleSql(advanceScheduleStatement(d.db, { jobschid: 7, nxtRunDt: null, lstRunDt: null, skipped: null })).sql, 'update "DWJOBSCH" set "NXT_RUN_DT" = :1 where "JOBSCHID" = :2');
  });

  test('fan-out: the enabled current children of the parent MAPREF, linked through any of its rows (current or retired), in one self-join (aliases without AS)', () => {
    const children = assertOracleSql(childSchedulesQuery(d.db, 'MAP_PARENT'), { binds: ['MAP_PARENT'] });
    assert.equal(
      children.sql,
      'select "C"."JOBSCHID", "C"."MAPREF" from "DWJOBSCH" "C" inner join "DWJOBSCH" "P" on "P"."JOBSCHID" = "C"."DPND_JOBSCHID" ' +
        'where "C"."CURFLG" = :1 and "P"."MAPREF" = :2 and "C"."SCHFLG" = :3',
    );
    const links = assertOracleSql(scheduleLinksQuery(d.db));
    assert.equal(
      links.sql,
      'select "C"."JOBSCHID", "C"."MAPREF", "C"."SCHFLG", "P"."MAPREF" "PARENT_MAPREF" from "DWJOBSCH" "C" inner join "DWJOBSCH" "P" on "P"."JOBSCHID" = "C"."DPND_JOBSCHID" where "C"."CURFLG" = :1',
    );
  });

  test('worker registry (DWPRCWRK): UTC heartbeats, values bound', () => {
    const register = assertOracleSql(registerWorkerStatement(d, 'host-a:1:abc', 4, '0.1.0'), { binds: ['host-a:1:abc', '0.1.0', 4] });
    assert.equal(
      register.sql,
      'insert into "DWPRCWRK" ("WORKER_ID", "HOST", "PID", "VERSION", "CONCURRENCY", "RUNNING", "STARTED_AT", "HEARTBEAT_AT") ' +
        'values (:1, :2, :3, :4, :5, :6, SYS_EXTRACT_UTC(SYSTIMESTAMP), SYS_EXTRACT_UTC(SYSTIMESTAMP))',
    );
    assertOracleSql(heartbeatWorkerStatement(d, 'host-a:1:abc', 2), { binds: ['host-a:1:abc', 2] });
    assertOracleSql(deregisterWorkerStatement(d, 'host-a:1:abc'), { binds: ['host-a:1:abc'] });
    const forget = assertOracleSql(forgetDeadWorkersStatement(d, 300_000), { binds: [-300] });
    assert.equal(forget.sql, `delete from "DWPRCWRK" where "HEARTBEAT_AT" < (SYS_EXTRACT_UTC(SYSTIMESTAMP) + NUMTODSINTERVAL(:1, 'SECOND'))`);
  });
});
