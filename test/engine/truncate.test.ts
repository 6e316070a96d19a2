import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { executeRequest } from '../../src/engine/executeRequest.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { claimRequest, dwlogic, harness, runsOf, setFlow } from '../support/engine.js';

describe('engine: truncate-and-load', () => {
  let t: TestDatabase;
  const mapref = 'TRUNC_LOAD';

  async function target(): Promise<string[]> {
    const { rows } = await sql<{ v: string }>`select v from dw_stage.sales_fact order by v`.execute(t.dialect.db);
    return rows.map((r) => r.v);
  }

  before(async () => {
    t = await createTestDatabase();
    await sql`create schema dw_stage`.execute(t.dialect.db);
    await sql`create table dw_stage.sales_fact (v varchar(30))`.execute(t.dialect.db);
    await setFlow(t, mapref, dwlogic(mapref, `  INSERT INTO dw_stage.sales_fact VALUES (coalesce(v_param1, 'today'));`));
  });
  after(() => t.drop());
  beforeEach(async () => {
    await t.dialect.db.deleteFrom('dwmapr').execute();
    // Upper case as in an Oracle DW: an unquoted name on PostgreSQL folds to lower case.
    await t.dialect.db.insertInto('dwmapr').values({ mapref, trgschm: 'DW_STAGE', trgtbnm: 'SALES_FACT', curflg: 'Y' }).execute();
    await sql`truncate dw_stage.sales_fact`.execute(t.dialect.db);
    await sql`insert into dw_stage.sales_fact values ('old 1'), ('old 2')`.execute(t.dialect.db);
  });

  test('IMMEDIATE with truncate_flag Y empties the DWMAPR target before the run', async () => {
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref, { truncate_flag: 'Y' }), harness(t).context);
    assert.equal(outcome.status, 'DONE', outcome.result.message);
    assert.deepEqual(await target(), ['today']);
  });

  test('without truncate_flag the target keeps its rows', async () => {
    await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref, { truncate_flag: 'N' }), harness(t).context);
    assert.deepEqual(await target(), ['old 1', 'old 2', 'today']);
  });

  test('HISTORY truncates once, before the first day', async () => {
    const outcome = await executeRequest(
      await claimRequest(t, 'HISTORY', mapref, { start_date: '2027-06-01', end_date: '2027-06-03', truncate_flag: 'Y' }),
      harness(t).context,
    );
    assert.equal(outcome.status, 'DONE', outcome.result.message);
    assert.deepEqual(await target(), ['01-Jun-2027', '02-Jun-2027', '03-Jun-2027']);
  });

  test('an identifier in DWMAPR that is not plain is refused before anything is truncated or run', async () => {
    await t.dialect.db.updateTable('dwmapr').set({ trgtbnm: 'x; drop table dwprclog' }).execute();
    const before = (await runsOf(t, mapref)).length;
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref, { truncate_flag: 'Y' }), harness(t).context);
    assert.equal(outcome.status, 'FAILED');
    assert.equal(outcome.started, false);
    assert.equal(outcome.retryable, false);
    assert.equal(
      outcome.result.message,
      'truncate_flag=Y for TRUNC_LOAD: DWMAPR.TRGTBNM must be a plain identifier (a letter, then letters, digits, _ $ #; at most 30), got "x; drop table dwprclog"',
    );
    assert.deepEqual(await target(), ['old 1', 'old 2']);
    assert.equal((await runsOf(t, mapref)).length, before);
  });

  test('no current DWMAPR row: FAILED with a clear message, no run row', async () => {
    await t.dialect.db.updateTable('dwmapr').set({ curflg: 'N' }).execute();
    const before = (await runsOf(t, mapref)).length;
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref, { truncate_flag: 'Y' }), harness(t).context);
    assert.deepEqual(outcome, {
      status: 'FAILED',
      started: false,
      retryable: false,
      result: { status: 'FAILED', message: `truncate_flag=Y, but no current DWMAPR row (MAPREF ${mapref}, CURFLG 'Y') names the target table` },
    });
    assert.deepEqual(await target(), ['old 1', 'old 2']);
    assert.equal((await runsOf(t, mapref)).length, before);
  });

  test('a TRUNCATE that fails is the error of the run: FL, and the flow does not run', async () => {
    await t.dialect.db.updateTable('dwmapr').set({ trgtbnm: 'NO_SUCH_TABLE' }).execute();
    const outcome = await executeRequest(await claimRequest(t, 'IMMEDIATE', mapref, { truncate_flag: 'Y' }), harness(t).context);
    const run = (await runsOf(t, mapref)).at(-1)!;
    assert.equal(outcome.status, 'FAILED');
    assert.equal(outcome.started, true);
    assert.equal(run.status, 'FL');
    assert.equal(run.msg, 'relation "dw_stage.no_such_table" does not exist');
    assert.deepEqual(await target(), ['old 1', 'old 2']);
  });
});
