import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DEMO_DWLOGIC, DEMO_MAPREF, seedDemo } from '../../src/db/demo.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('demo seed', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());

  test('seeds one flow and one enabled schedule, once', async () => {
    assert.equal(await seedDemo(t.dialect), true);
    assert.equal(await seedDemo(t.dialect), false);
    const flows = await t.dialect.db.selectFrom('dwjobflw').selectAll().execute();
    assert.equal(flows.length, 1);
    assert.equal(flows[0]!.dwlogic, DEMO_DWLOGIC);
    const schedules = await t.dialect.db.selectFrom('dwjobsch').selectAll().execute();
    assert.deepEqual(
      schedules.map((s) => [s.mapref, s.frqcd, s.frqhh, s.frqmi, s.schflg, s.curflg]),
      [[DEMO_MAPREF, 'ID', '-1', '01', 'Y', 'Y']],
    );
  });

  test('the demo DWLOGIC, run by hand in a transaction on the session of its IP row, writes its DWJOBLOG row', async () => {
    await t.dialect.db.connection().execute(async (conn) => {
      await conn.transaction().execute(async (trx) => {
        await sql`insert into dwprclog (prcid, jobid, mapref, status, sessionid, param1)
                  values (${t.dialect.nextValue('dwprclogseq')}, 1, ${DEMO_MAPREF}, 'IP', pg_backend_pid(), '26-Nov-2026')`.execute(trx);
        await sql.raw(DEMO_DWLOGIC).execute(trx);
      });
    });
    const log = await t.dialect.db.selectFrom('dwjoblog').selectAll().executeTakeFirstOrThrow();
    assert.equal(log.mapref, DEMO_MAPREF);
    assert.equal(log.srcrows, 250);
    assert.equal(log.trgrows, 1);
    const { rows } = await sql<{ day: string; orders: number }>`select business_day as day, orders::int as orders from demo_sales_summary`.execute(t.dialect.db);
    assert.deepEqual(rows, [{ day: '26-Nov-2026', orders: 250 }]);
  });

  test('without its IP row the block raises instead of loading', async () => {
    await t.dialect.db.updateTable('dwprclog').set({ status: 'PC' }).execute();
    await assert.rejects(sql.raw(DEMO_DWLOGIC).execute(t.dialect.db), /no IP row for session/);
  });
});
