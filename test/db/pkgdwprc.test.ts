import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('pkgdwprc procedures (COMPAT.md DWLOGIC contract)', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());
  beforeEach(async () => {
    await sql`truncate dwjoblog, dwjoberr, dwprclog`.execute(t.dialect.db);
    await sql`insert into dwprclog (prcid, mapref, status, sessionid) values (7, 'M1', 'IP', 42)`.execute(t.dialect.db);
  });

  test('create_job_log with a NULL id allocates one from DWJOBLOGSEQ and returns it', async () => {
    // CamelCasePlugin renames the OUT column p_joblogid to pJoblogid.
    const { rows } = await sql<{ pJoblogid: number }>`call pkgdwprc.create_job_log(null, 42, 7, localtimestamp(0)::timestamp, 'M1', 3, 100, 98, 2)`.execute(t.dialect.db);
    const id = rows[0]!.pJoblogid;
    assert.ok(id >= 1);
    const log = await t.dialect.db.selectFrom('dwjoblog').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual(
      { id: log.joblogid, prcid: log.prcid, jobid: log.jobid, src: log.srcrows, trg: log.trgrows, err: log.errrows, sid: log.sessionid },
      { id, prcid: 7, jobid: 3, src: 100, trg: 98, err: 2, sid: 42 },
    );
  });

  test('create_job_log keeps a given id', async () => {
    const { rows } = await sql<{ pJoblogid: number }>`call pkgdwprc.create_job_log(555, 42, 7, localtimestamp(0)::timestamp, 'M1', 3, 1, 1, 0)`.execute(t.dialect.db);
    assert.equal(rows[0]!.pJoblogid, 555);
  });

  test('log_job_error writes DWJOBERR and sets the run FL with the message', async () => {
    await sql`call pkgdwprc.log_job_error(9, 42, 7, localtimestamp(0)::timestamp, 3, 'M1', 'ERR', 'ORA-00001: unique constraint', 'duplicate customer', 'CUST=17')`.execute(t.dialect.db);
    const err = await t.dialect.db.selectFrom('dwjoberr').selectAll().executeTakeFirstOrThrow();
    assert.equal(err.joblogid, 9);
    assert.equal(err.errtyp, 'ERR');
    assert.equal(err.keyvalue, 'CUST=17');
    assert.equal(err.dberrmsg, 'ORA-00001: unique constraint');
    const run = await t.dialect.db.selectFrom('dwprclog').select(['status', 'msg']).where('prcid', '=', 7).executeTakeFirstOrThrow();
    assert.deepEqual(run, { status: 'FL', msg: 'duplicate customer' });
  });

  test('MSG keeps the last error; warnings and notes do not fail the run', async () => {
    await sql`call pkgdwprc.log_job_error(9, 42, 7, localtimestamp(0)::timestamp, 3, 'M1', 'WRN', null, 'just a warning', null)`.execute(t.dialect.db);
    const warned = await t.dialect.db.selectFrom('dwprclog').select(['status', 'msg']).where('prcid', '=', 7).executeTakeFirstOrThrow();
    assert.deepEqual(warned, { status: 'IP', msg: null });
    await sql`call pkgdwprc.log_job_error(9, 42, 7, localtimestamp(0)::timestamp, 3, 'M1', 'ERR', null, 'first', null)`.execute(t.dialect.db);
    await sql`call pkgdwprc.log_job_error(9, 42, 7, localtimestamp(0)::timestamp, 3, 'M1', 'ERR', null, 'second', null)`.execute(t.dialect.db);
    const failed = await t.dialect.db.selectFrom('dwprclog').select(['status', 'msg']).where('prcid', '=', 7).executeTakeFirstOrThrow();
    assert.deepEqual(failed, { status: 'FL', msg: 'second' });
    assert.equal((await t.dialect.db.selectFrom('dwjoberr').select('errid').execute()).length, 3);
  });

  test('log_job_error before any job log uses id 0 and truncates long texts', async () => {
    const long = 'x'.repeat(5000);
    await sql`call pkgdwprc.log_job_error(null, 42, 7, localtimestamp(0)::timestamp, 3, 'M1', null, ${long}, ${long}, ${long})`.execute(t.dialect.db);
    const err = await t.dialect.db.selectFrom('dwjoberr').selectAll().executeTakeFirstOrThrow();
    assert.equal(err.joblogid, 0);
    assert.equal(err.errtyp, 'ERR');
    assert.equal(err.dberrmsg!.length, 4000);
    assert.equal(err.errmsg!.length, 400);
  });

  test('pkgerr.raise_error raises P0099 with the parts of the message', async () => {
    await assert.rejects(sql`call pkgerr.raise_error('PKGDWPRC', 'CREATE_JOB_SCHEDULE', '10', 'boom')`.execute(t.dialect.db), (e: { code?: string; message: string }) => {
      assert.equal(e.code, 'P0099');
      assert.match(e.message, /boom/);
      return true;
    });
  });
});
