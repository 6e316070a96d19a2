import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { oracleCompiler, oracleIndexExistsQuery } from '../../src/db/dialects/oracle.js';
import { duplicateCurrentSchedules, ONE_CURRENT_INDEX } from '../../src/observe/currentSchedules.js';
import { assertOracleSql } from './oracleSqlRules.js';

describe('doctor "current schedules" on Oracle (compiled SQL)', () => {
  test('duplicate current rows: a plain GROUP BY … HAVING over DWJOBSCH', () => {
    const q = assertOracleSql(duplicateCurrentSchedules(oracleCompiler()));
    assert.equal(q.sql, 'select "MAPREF" from "DWJOBSCH" where "CURFLG" = :1 group by "MAPREF" having count(*) > :2 order by "MAPREF"');
    assert.deepEqual(q.parameters, ['Y', 1]);
    assert.match(duplicateCurrentSchedules(oracleCompiler('DMS_')).compile().sql, /from "DMS_JOBSCH"/);
  });

  test('the index is looked up in the DW schema (DWPRC_SCHEMA), by its upper-case name, as a bind', () => {
    const q = oracleIndexExistsQuery(ONE_CURRENT_INDEX).compile(oracleCompiler());
    assert.equal(q.sql, `SELECT COUNT(*) AS "n" FROM ALL_INDEXES WHERE OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') AND INDEX_NAME = :1`);
    assert.deepEqual(q.parameters, ['DWJOBSCH_ONE_CURRENT']);
  });
});
