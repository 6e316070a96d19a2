import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { oracleCompiler } from '../../src/db/dialects/oracle.js';
import { currentScheduleViews } from '../../src/scheduler/scheduleView.js';
import { assertOracleSql } from './oracleSqlRules.js';

describe('schedule list on Oracle (compiled SQL)', () => {
  test('a self-join for the parent MAPREF: aliases without AS (Oracle rejects it for tables), quoted upper case like every name, values as binds', () => {
    const q = assertOracleSql(currentScheduleViews(oracleCompiler()).where('s.mapref', '=', 'MAP_VIEW'), { binds: ['MAP_VIEW'] });
    assert.equal(
      q.sql,
      'select "S"."MAPREF", "S"."JOBSCHID", "S"."FRQCD", "S"."FRQDD", "S"."FRQHH", "S"."FRQMI", "S"."STRTDT", "S"."ENDDT", ' +
        '"S"."SCHFLG", "S"."NXT_RUN_DT", "S"."LST_RUN_DT", "P"."MAPREF" "PARENT_MAPREF" ' +
        'from "DWJOBSCH" "S" left join "DWJOBSCH" "P" on "P"."JOBSCHID" = "S"."DPND_JOBSCHID" ' +
        'where "S"."CURFLG" = :1 and "S"."MAPREF" = :2 order by "S"."MAPREF", "S"."JOBSCHID"',
    );
    assert.deepEqual(q.parameters, ['Y', 'MAP_VIEW']);
    assert.match(currentScheduleViews(oracleCompiler('DMS_')).compile().sql, /from "DMS_JOBSCH" "S" left join "DMS_JOBSCH" "P"/);
  });
});
