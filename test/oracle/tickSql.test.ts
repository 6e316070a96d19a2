import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { oracleCompiler } from '../../src/db/dialects/oracle.js';
import { lockDueSchedules } from '../../src/scheduler/tick.js';

describe('scheduler tick on Oracle (compiled SQL)', () => {
  test('a chunk of due schedules is locked by id list: FOR UPDATE SKIP LOCKED, no ROWNUM or FETCH FIRST', () => {
    const now = new Date(Date.UTC(2027, 2, 5, 6, 0));
    const q = lockDueSchedules(oracleCompiler(), [7, 8, 9], now, sql<string>`'sig'`).compile();
    assert.equal(
      q.sql,
      'select "JOBSCHID", "MAPREF", "FRQCD", "FRQDD", "FRQHH", "FRQMI", "STRTDT", "ENDDT", "NXT_RUN_DT" from "DWJOBSCH" ' +
        'where "JOBSCHID" in (:1, :2, :3) and "CURFLG" = :4 and "SCHFLG" = :5 and "NXT_RUN_DT" <= :6 and "NXT_RUN_SIG" = \'sig\' for update skip locked',
    );
    assert.deepEqual(q.parameters, [7, 8, 9, 'Y', 'Y', now]);
    assert.doesNotMatch(q.sql, /rownum|fetch first/i);
  });
});
