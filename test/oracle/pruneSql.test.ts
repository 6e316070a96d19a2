import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { oracleCompiler, oracleLocalNowPlus } from '../../src/db/dialects/oracle.js';
import { endedRunsPage } from '../../src/engine/pruneRunLogs.js';
import { finishedRequestsPage } from '../../src/queue/pruneRequests.js';
import './grammar/checkCompiledSql.js';

describe('prune on Oracle, as compiled', () => {
  const db = oracleCompiler();
  const cutoff = oracleLocalNowPlus(-30 * 86_400_000);

  test('the cutoff is the database server wall clock (CAST(SYSTIMESTAMP AS TIMESTAMP)) minus a bound number of seconds', () => {
    const q = cutoff.compile(db);
    assert.equal(q.sql, `(CAST(SYSTIMESTAMP AS TIMESTAMP) + NUMTODSINTERVAL(:1, 'SECOND'))`);
    assert.deepEqual(q.parameters, [-2_592_000]);
  });

  test('a page of finished requests: keyset by REQUEST_ID, FETCH FIRST with a bind, no LIMIT, no lock', () => {
    const q = finishedRequestsPage(db, cutoff, 'abc', 1000).compile();
    assert.equal(
      q.sql,
      `select "REQUEST_ID" from "DWPRCREQ" where "STATUS" in (:1, :2, :3) and "COMPLETED_AT" < (CAST(SYSTIMESTAMP AS TIMESTAMP) + NUMTODSINTERVAL(:4, 'SECOND')) and "REQUEST_ID" > :5 order by "REQUEST_ID" fetch first :6 rows only`,
    );
    assert.deepEqual(q.parameters, ['DONE', 'FAILED', 'CANCELLED', -2_592_000, 'abc', 1000]);
    assert.doesNotMatch(finishedRequestsPage(db, cutoff, null, 10).compile().sql, /limit|for update|REQUEST_ID" >/i);
  });

  test('a page of ended runs: keyset by PRCID, ENDDT or (no ENDDT) RECUPDT before the cutoff', () => {
    const q = endedRunsPage(db, cutoff, 41, 500).compile();
    assert.equal(
      q.sql,
      `select "PRCID" from "DWPRCLOG" where "STATUS" in (:1, :2, :3) and ("ENDDT" < (CAST(SYSTIMESTAMP AS TIMESTAMP) + NUMTODSINTERVAL(:4, 'SECOND')) or ("ENDDT" is null and "RECUPDT" < (CAST(SYSTIMESTAMP AS TIMESTAMP) + NUMTODSINTERVAL(:5, 'SECOND')))) and "PRCID" > :6 order by "PRCID" fetch first :7 rows only`,
    );
    assert.deepEqual(q.parameters, ['PC', 'FL', 'ST', -2_592_000, -2_592_000, 41, 500]);
  });
});
