import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { oracleValueQuery } from '../../src/db/dialects/oracle.js';
import { existingRequestsQuery } from '../../src/queue/enqueue.js';
import { childSchedulesQuery, currentScheduleQuery } from '../../src/scheduler/fanOut.js';
import { schedulesToInitialise, writeNextRunStatement } from '../../src/scheduler/initialiseSchedule.js';
import { advanceScheduleStatement, clearInactiveStatement, clearNextRunStatement, dueSchedulesQuery, lockDueScheduleQuery } from '../../src/scheduler/tick.js';
import { deregisterWorkerStatement, forgetDeadWorkersStatement, heartbeatWorkerStatement, registerWorkerStatement } from '../../src/worker/registry.js';
import { assertOracleSql, compileOnlyOracle } from './oracleSqlRules.js';

/** The scheduler tick, schedule initialisation, dependency fan-out and the worker registry on Oracle. */
describe('scheduler and worker registry SQL on Oracle, as compiled', () => {
  const d = compileOnlyOracle();
  const ZONE = 'Europe/London';
  const NOW = DateTime.fromISO('2027-03-05T10:00:00Z', { zone: 'utc' });
  /** The signature of the rule fields, as both databases evaluate it: '' and '|' are its only literals. */
  const SIGNATURE =
    `(coalesce("FRQCD", '') || '|' || coalesce("FRQDD", '') || '|' || coalesce("FRQHH", '') || '|' || coalesce("FRQMI", '')\n` +
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

  test('due schedules: a FETCH FIRST page without a lock; each then locked alone with FOR UPDATE SKIP LOCKED and no row limit', () => {
    const due = assertOracleSql(dueSchedulesQuery(d.db, ZONE, NOW), { binds: [NOW.toJSDate(), ZONE, 100] });
    assert.equal(
      due.sql,
      'select "JOBSCHID" from "DWJOBSCH" where "CURFLG" = :1 and "SCHFLG" = :2 and "DPND_JOBSCHID" is null and "NXT_RUN_DT" <= :3 ' +
        `and "NXT_RUN_SIG" = ${signature(4)} order by "NXT_RUN_DT" fetch first :7 rows only`,
    );
    const lock = assertOracleSql(lockDueScheduleQuery(d.db, ZONE, 7, NOW), { binds: [7, NOW.toJSDate(), ZONE] });
    assert.equal(
      lock.sql,
      'select "JOBSCHID", "MAPREF", "FRQCD", "FRQDD", "FRQHH", "FRQMI", "STRTDT", "ENDDT", "NXT_RUN_DT" from "DWJOBSCH" ' +
        `where "JOBSCHID" = :1 and "CURFLG" = :2 and "SCHFLG" = :3 and "NXT_RUN_DT" <= :4 and "NXT_RUN_SIG" = ${signature(5)} for update skip locked`,
    );
  });

  test('firing: existing ids looked up, NXT_RUN_DT advanced (LST_RUN_DT with a firing), an invalid row cleared', () => {
    assertOracleSql(existingRequestsQuery(d.db, ['S7-202703051000', 'S7-202703051100']), { binds: ['S7-202703051000', 'S7-202703051100'] });
    const next = NOW.plus({ days: 1 });
    const advance = assertOracleSql(advanceScheduleStatement(d.db, 7, next, NOW), { binds: [next.toJSDate(), NOW.toJSDate(), 7] });
    assert.equal(advance.sql, 'update "DWJOBSCH" set "NXT_RUN_DT" = :1, "LST_RUN_DT" = :2 where "JOBSCHID" = :3');
    assert.equal(assertOracleSql(advanceScheduleStatement(d.db, 7, null, null)).sql, 'update "DWJOBSCH" set "NXT_RUN_DT" = :1 where "JOBSCHID" = :2');
    assertOracleSql(clearNextRunStatement(d.db, 7), { binds: [7] });
  });

  test('fan-out: the parent MAPREF current schedule, its enabled current children', () => {
    assertOracleSql(currentScheduleQuery(d.db, 'MAP_PARENT'), { binds: ['MAP_PARENT'] });
    const children = assertOracleSql(childSchedulesQuery(d.db, 7), { binds: [7] });
    assert.equal(children.sql, 'select "JOBSCHID", "MAPREF" from "DWJOBSCH" where "DPND_JOBSCHID" = :1 and "CURFLG" = :2 and "SCHFLG" = :3 order by "JOBSCHID"');
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
