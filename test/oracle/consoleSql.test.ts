import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chainLinksQuery, danglingLinksQuery } from '../../src/observe/chainLinks.js';
import { changeMarkQueries } from '../../src/observe/changeMark.js';
import { dayRunsQuery } from '../../src/observe/dayRuns.js';
import { lastRunsQuery } from '../../src/observe/lastRuns.js';
import { runErrorsQuery } from '../../src/observe/runErrors.js';
import { readRequestQuery } from '../../src/queue/readRequest.js';
import { assertOracleSql, compileOnlyOracle } from './oracleSqlRules.js';

describe('waiting and the console on Oracle, as compiled', () => {
  const d = compileOnlyOracle();

  test('dwprc wait: one DWPRCREQ row by its key', () => {
    const q = assertOracleSql(readRequestQuery(d.db, 'r-1'), { binds: ['r-1'] });
    assert.match(q.sql, /^select "REQUEST_ID", "MAPREF", .* "PROGRESS", "STOP_REQUESTED" from "DWPRCREQ" where "REQUEST_ID" = :1$/);
  });

  test("timeline: the runs overlapping a day, counts per PRCID, FETCH FIRST; the window's ends are bound DATE values", () => {
    const from = new Date('2026-12-04T00:00:00Z');
    const to = new Date('2026-12-05T00:00:00Z');
    const q = assertOracleSql(dayRunsQuery(d.db, from, to, 5000));
    assert.match(q.sql, / from "DWPRCLOG" "R" where "R"\."STRTDT" is not null and "R"\."STRTDT" < :2 and \("R"\."ENDDT" >= :3 or "R"\."ENDDT" is null\) order by "R"\."PRCID" fetch first :4 rows only$/);
    assert.deepEqual(q.parameters.slice(1), [to, from, 5000]);
  });

  test('last run per MAPREF, chain links with the parent row whatever it became, errors of given runs', () => {
    assert.equal(
      assertOracleSql(lastRunsQuery(d.db)).sql,
      'select "MAPREF", "PRCID", "STATUS", "STRTDT", "ENDDT" from "DWPRCLOG" where "PRCID" in (select max("PRCID") "PRCID" from "DWPRCLOG" where "MAPREF" is not null group by "MAPREF")',
    );
    assert.equal(
      assertOracleSql(chainLinksQuery(d.db), { binds: ['Y'] }).sql,
      'select "C"."JOBSCHID", "C"."MAPREF", "C"."SCHFLG", "P"."MAPREF" "PARENT_MAPREF", "C"."DPND_JOBSCHID", "P"."CURFLG" "PARENT_CURFLG" from "DWJOBSCH" "C" inner join "DWJOBSCH" "P" on "P"."JOBSCHID" = "C"."DPND_JOBSCHID" where "C"."CURFLG" = :1 order by "C"."MAPREF"',
    );
    assert.equal(
      assertOracleSql(danglingLinksQuery(d.db), { binds: ['Y'] }).sql,
      'select "C"."JOBSCHID", "C"."MAPREF", "C"."SCHFLG", "C"."DPND_JOBSCHID" from "DWJOBSCH" "C" left join "DWJOBSCH" "P" on "P"."JOBSCHID" = "C"."DPND_JOBSCHID" where "C"."CURFLG" = :1 and "C"."DPND_JOBSCHID" is not null and "P"."JOBSCHID" is null order by "C"."MAPREF"',
    );
    assert.equal(
      assertOracleSql(runErrorsQuery(d.db, [3, 4], 50), { binds: [3, 4, 50] }).sql,
      'select "ERRID", "PRCID", "PRCDT", "ERRTYP", "ERRMSG", "DBERRMSG", "KEYVALUE" from "DWJOBERR" where "PRCID" in (:1, :2) order by "ERRID" desc fetch first :3 rows only',
    );
  });

  test('the change mark: four small reads, no FROM-less select', () => {
    const q = changeMarkQueries(d.db);
    assert.equal(assertOracleSql(q.lastRun).sql, 'select max("PRCID") "N" from "DWPRCLOG"');
    assertOracleSql(q.depth, { binds: ['NEW', 'CLAIMED'] });
    assert.equal(assertOracleSql(q.workers).sql, 'select count(*) "N" from "DWPRCWRK"');
    assert.equal(assertOracleSql(q.schedules).sql, 'select max("RECUPDT") "UPDATED", count(*) "N" from "DWJOBSCH"');
  });
});
