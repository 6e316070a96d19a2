import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { claimCandidatesQuery, claimedRunSet, oracleCompiler, splitOracleScript } from '../../src/db/dialects/oracle.js';
import { PADDING } from '../../src/queue/padding.js';
import { withoutGrammarCheck } from './grammar/checkCompiledSql.js';
import { oracleSyntaxProblems } from './grammar/oracleGrammar.js';
import { oracleSqlProblems } from './oracleSqlRules.js';

describe('Oracle SQL as compiled (no server: ORACLE.md rules pinned on the text)', () => {
  const db = oracleCompiler();

  test('identifiers are quoted upper case and values are binds :1, :2', () => {
    const q = db.selectFrom('dwprcreq').select(['requestId', 'leaseExpiresAt']).where('mapref', '=', 'M1').where('status', '=', 'NEW').compile();
    assert.equal(q.sql, 'select "REQUEST_ID", "LEASE_EXPIRES_AT" from "DWPRCREQ" where "MAPREF" = :1 and "STATUS" = :2');
    assert.deepEqual(q.parameters, ['M1', 'NEW']);
  });

  test('param1..param10 keep their digits without an underscore', () => {
    const q = db.selectFrom('dwprclog').select(['param1', 'param10', 'dwprclog.prcid']).compile();
    assert.equal(q.sql, 'select "PARAM1", "PARAM10", "DWPRCLOG"."PRCID" from "DWPRCLOG"');
  });

  test('a DMS_ prefix renames tables, qualified references included', () => {
    const dms = oracleCompiler('DMS_');
    const q = dms.updateTable('dwprcreq').set({ status: 'DONE' }).where('dwprcreq.requestId', '=', 'r').compile();
    assert.equal(q.sql, 'update "DMS_PRCREQ" set "STATUS" = :1 where "DMS_PRCREQ"."REQUEST_ID" = :2');
  });

  test('Kysely .limit() would emit LIMIT and .fetch() FETCH FIRST: neither may reach a FOR UPDATE claim', () => {
    // Pins the trap of ORACLE.md: these builders produce SQL Oracle rejects with FOR UPDATE. The
    // grammar refuses LIMIT; FETCH FIRST … FOR UPDATE parses, and only ORA-02014 at run time (or
    // the rule of oracleSqlRules.ts) tells.
    const limited = withoutGrammarCheck(() => db.selectFrom('dwprcreq').select('requestId').limit(5).forUpdate().skipLocked().compile());
    assert.match(limited.sql, /limit :1/i);
    assert.notDeepEqual(oracleSyntaxProblems(limited.sql), []);
    const fetched = db.selectFrom('dwprcreq').select('requestId').fetch(5).forUpdate().skipLocked().compile();
    assert.match(fetched.sql, /fetch first :1 rows only/i);
    assert.match(oracleSqlProblems(fetched.sql, fetched.parameters).join(), /ORA-02014/);
  });

  test('the claim compares REQUEST_TYPE and MAPREF unpadded, as the parser does, and stores a claimed run so', () => {
    const unpaddedType = (a: string, n: number) => `UPPER(RTRIM(LTRIM("${a}"."REQUEST_TYPE", :${n}), :${n + 1}))`;
    const unpaddedMapref = (a: string, n: number) => `NVL(RTRIM(LTRIM("${a}"."MAPREF", :${n}), :${n + 1}), "${a}"."MAPREF")`;
    const candidates = claimCandidatesQuery(db, 8).compile();
    assert.match(candidates.sql, new RegExp(`not \\(${escape(unpaddedType('Q', 2))} in \\(:4, :5\\) and exists \\(select 1 "ONE" from "DWPRCREQ" "C" where "C"."MAPREF" = ${escape(unpaddedMapref('Q', 6))} and "C"."STATUS" = :8 and ${escape(unpaddedType('C', 9))} in \\(:11, :12\\)\\)\\)`));
    assert.match(candidates.sql, /order by "Q"."REQUESTED_AT" for update skip locked$/);
    assert.deepEqual(candidates.parameters.slice(0, 12), ['NEW', PADDING, PADDING, 'IMMEDIATE', 'HISTORY', PADDING, PADDING, 'CLAIMED', PADDING, PADDING, 'IMMEDIATE', 'HISTORY']);

    const claim = db.updateTable('dwprcreq').set(claimedRunSet('w1', sql<Date>`SYS_EXTRACT_UTC(SYSTIMESTAMP)`, sql<Date>`CAST(SYSTIMESTAMP AS TIMESTAMP)`)).where('requestId', 'in', ['a']).compile();
    // The exclusive types are binds too (ORACLE.md: values as binds, never literals).
    assert.ok(
      claim.sql.includes(
        `"REQUEST_TYPE" = CASE WHEN ${unpaddedType('DWPRCREQ', 3)} IN (:5, :6) THEN ${unpaddedType('DWPRCREQ', 7)} ELSE "DWPRCREQ"."REQUEST_TYPE" END, ` +
          `"MAPREF" = CASE WHEN ${unpaddedType('DWPRCREQ', 9)} IN (:11, :12) THEN ${unpaddedMapref('DWPRCREQ', 13)} ELSE "DWPRCREQ"."MAPREF" END`,
      ),
      claim.sql,
    );
  });

  test('the claim cursor: queue order by REQUESTED_AT alone (the index order, no sort of the queue), FOR UPDATE SKIP LOCKED, no row limit in the text', () => {
    const q = claimCandidatesQuery(db, 16).compile();
    assert.match(q.sql, /^select "Q"\."REQUEST_ID", .* from "DWPRCREQ" "Q" where "Q"\."STATUS" = :1 /);
    assert.match(q.sql, / order by "Q"\."REQUESTED_AT" for update skip locked$/);
    assert.doesNotMatch(q.sql, /rownum|fetch first|limit/i);
  });

  test('splitOracleScript keeps PL/SQL blocks whole and strips the ; of plain statements', () => {
    const parts = splitOracleScript(`-- header
CREATE TABLE T (X NUMBER);
/
BEGIN
  NULL;
END;
/
CREATE OR REPLACE PACKAGE P AS
  PROCEDURE A;
END P;
/
`);
    assert.deepEqual(parts, ['CREATE TABLE T (X NUMBER)', 'BEGIN\n  NULL;\nEND;', 'CREATE OR REPLACE PACKAGE P AS\n  PROCEDURE A;\nEND P;']);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
