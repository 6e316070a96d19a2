import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PostgresDialect, runApplicationName, runApplicationNameSql } from '../../src/db/dialects/postgres.js';
import { commitModes, recordCommitModes } from '../support/commitModes.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitFor } from '../support/waitFor.js';

describe('PostgreSQL run session', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await sql`create table rs_target (n int)`.execute(t.dialect.db);
  });
  after(() => t.drop());

  test('its Kysely, its session id and its blocks share one backend', async () => {
    const session = await t.dialect.openRunSession();
    try {
      const pid = await t.dialect.selectValue(t.dialect.sessionId(), session.db);
      assert.equal(pid, session.sessionId);
      await session.runBlock(`DO $$ BEGIN PERFORM set_config('dwprc.probe', pg_backend_pid()::text, false); END $$`);
      const { rows } = await sql<{ v: string }>`select current_setting('dwprc.probe') as v`.execute(session.db);
      assert.equal(Number(rows[0]!.v), session.sessionId);
    } finally {
      await session.release();
    }
  });

  test('a pooled connection keeps its session id; once a run closed on it, stale rows need no look-up; a discarded one starts over', async () => {
    const single = new PostgresDialect({ url: t.url, schema: null, tablePrefix: 'DW', poolMax: 1 });
    try {
      const first = await single.openRunSession();
      assert.equal(first.mayHoldStaleRuns, true, 'a connection new to runs may carry a dead session\'s id');
      await first.release();
      const again = await single.openRunSession();
      assert.equal(again.sessionId, first.sessionId);
      assert.equal(again.mayHoldStaleRuns, true, 'no run was closed on it yet');
      again.markRunClosed();
      await again.release();
      const clean = await single.openRunSession();
      assert.equal(clean.sessionId, first.sessionId);
      assert.equal(await single.selectValue(single.sessionId(), clean.db), clean.sessionId, 'the remembered id is the backend\'s');
      assert.equal(clean.mayHoldStaleRuns, false);
      await clean.release({ discard: true });
      const fresh = await single.openRunSession();
      assert.notEqual(fresh.sessionId, first.sessionId);
      assert.equal(fresh.mayHoldStaleRuns, true);
      await fresh.release();
    } finally {
      await single.close();
    }
  });

  test('openRunRow and closeRunRow: one statement each, nothing on a lost claim or a closed row, table prefix applied', async () => {
    const dms = await createTestDatabase({ tablePrefix: 'DMS_' });
    try {
      await sql`insert into dms_prcreq (request_id, mapref, request_type, status, claimed_by) values ('r1', 'M1', 'IMMEDIATE', 'CLAIMED', 'me')`.execute(dms.dialect.db);
      const session = await dms.dialect.openRunSession();
      try {
        const row = { sessionId: session.sessionId, mapref: 'M1', jobid: 7, jobflwid: null, prclog: 'Parameters used: DWT_PARAM2=b', params: [null, 'b'] };
        assert.equal(await dms.dialect.openRunRow(session, row, { requestId: 'r1', claimedBy: 'someone else' }), null);
        const before = await dms.dialect.selectValue(dms.dialect.utcNow());
        const opened = await dms.dialect.openRunRow(session, row, { requestId: 'r1', claimedBy: 'me' });
        const prcid = opened?.prcid;
        assert.ok(opened && opened.openedAt >= before && opened.openedAt.getTime() - before.getTime() < 60_000, 'the database clock in UTC');
        const { rows } = await sql<{ p: number; s: string; sid: number; job: number; p2: string; req: number }>`
          select l.prcid as p, l.status as s, l.sessionid as sid, l.jobid as job, l.param2 as p2, r.prcid as req
            from dms_prclog l join dms_prcreq r on r.request_id = 'r1'`.execute(dms.dialect.db);
        assert.deepEqual(rows, [{ p: prcid, s: 'IP', sid: session.sessionId, job: 7, p2: 'b', req: prcid }]);

        const close = { prcid: prcid!, status: 'PC' as const, message: null, owner: null };
        const jobLog = { run: { prcid: prcid!, jobid: 7, mapref: 'M1', sessionId: session.sessionId }, joblogid: null, counts: { source: 3, target: 2, errors: 1 } };
        // A DWJOBLOG row the flow wrote itself counts too.
        await sql`insert into dms_joblog (joblogid, prcid, srcrows, trgrows, errrows) values (900, ${prcid!}, 10, 10, 0)`.execute(dms.dialect.db);
        assert.deepEqual(await dms.dialect.closeRunRow(session, close, jobLog), { closed: true, completed: false, counts: { source: 13, target: 12, errors: 1 } });
        assert.deepEqual(
          await dms.dialect.closeRunRow(dms.dialect.db, { ...close, status: 'ST' }, jobLog),
          { closed: false, completed: false, counts: { source: 13, target: 12, errors: 1 } },
          'already closed (also from the pool): no second DWJOBLOG row',
        );
        const { rows: ended } = await sql<{ s: string; logs: string }>`
          select l.status as s, (select string_agg(j.srcrows || '/' || j.trgrows || '/' || j.errrows || '/' || j.jobid || '/' || j.sessionid, ',') from dms_joblog j where j.prcid = l.prcid and j.joblogid <> 900) as logs
            from dms_prclog l`.execute(dms.dialect.db);
        assert.deepEqual(ended, [{ s: 'PC', logs: `3/2/1/7/${session.sessionId}` }]);
      } finally {
        await session.release();
      }
    } finally {
      await dms.drop();
    }
  });

  test('closeRunRow with the request\'s completion: DONE in the same statement, only once the row is closed, the claim holds and nothing is pending', async () => {
    const dms = await createTestDatabase({ tablePrefix: 'DMS_' });
    const session = await dms.dialect.openRunSession();
    try {
      const run = async (requestId: string, mapref: string) => {
        await sql`insert into dms_prcreq (request_id, mapref, request_type, status, claimed_by, lease_expires_at) values (${requestId}, ${mapref}, 'IMMEDIATE', 'CLAIMED', 'me', localtimestamp + interval '1 minute')`.execute(dms.dialect.db);
        const row = { sessionId: session.sessionId, mapref, jobid: 7, jobflwid: null, prclog: '', params: [] };
        const opened = await dms.dialect.openRunRow(session, row, { requestId, claimedBy: 'me' });
        return opened!.prcid;
      };
      const request = (id: string) => sql<{ status: string; payload: string | null; lease: Date | null }>`select status, result_payload as payload, lease_expires_at as lease from dms_prcreq where request_id = ${id}`.execute(dms.dialect.db).then((r) => r.rows[0]);
      // As childSchedulesQuery: a subquery on the MAPREF (here one that finds a row only for PENDING).
      const pendingFor = (_db: unknown, mapref: string) => sql`(select 1 where ${mapref} = 'PENDING')`;
      const offer = (requestId: string, mapref: string, claimedBy = 'me') => ({ owner: { requestId, claimedBy }, payloadHead: '{"status":"DONE","message":"m"', mapref, pending: pendingFor });
      const logOf = (prcid: number, mapref: string) => ({ run: { prcid, jobid: 7, mapref, sessionId: session.sessionId }, joblogid: null, counts: { source: 2, target: 1, errors: 0 } });

      const p1 = await run('c1', 'C1');
      const done = await dms.dialect.closeRunRow(session, { prcid: p1, status: 'PC', message: null, owner: null }, logOf(p1, 'C1'), offer('c1', 'C1'));
      assert.deepEqual(done, { closed: true, completed: true, counts: { source: 2, target: 1, errors: 0 } });
      assert.deepEqual(await request('c1'), { status: 'DONE', payload: '{"status":"DONE","message":"m","counts":{"source":2,"target":1,"errors":0}}', lease: null });

      const p2 = await run('c2', 'PENDING');
      const pending = await dms.dialect.closeRunRow(session, { prcid: p2, status: 'PC', message: null, owner: null }, null, offer('c2', 'PENDING'));
      assert.deepEqual([pending.closed, pending.completed], [true, false], 'follow-ups to queue: the run is closed, the request left to the worker');
      assert.equal((await request('c2'))!.status, 'CLAIMED');

      const p3 = await run('c3', 'C3');
      const lost = await dms.dialect.closeRunRow(session, { prcid: p3, status: 'PC', message: null, owner: null }, null, offer('c3', 'C3', 'another worker'));
      assert.deepEqual([lost.closed, lost.completed], [true, false], 'a claim this worker no longer holds is not completed');
      const again = await dms.dialect.closeRunRow(dms.dialect.db, { prcid: p3, status: 'PC', message: null, owner: null }, null, offer('c3', 'C3'));
      assert.deepEqual([again.closed, again.completed], [false, false], 'a row that was not closed by this statement completes nothing');
      const unchanged = await request('c3');
      assert.deepEqual([unchanged!.status, unchanged!.payload], ['CLAIMED', null], 'neither close completed it');

      // Another `pending` in the same shape of statement is its own statement, not the first one's text.
      const p4 = await run('c4', 'C4');
      const everythingPending = { ...offer('c4', 'C4'), pending: (_db: unknown, mapref: string) => sql`(select 1 where ${mapref}::text is not null)` };
      const held = await dms.dialect.closeRunRow(session, { prcid: p4, status: 'PC', message: null, owner: null }, logOf(p4, 'C4'), everythingPending);
      assert.deepEqual([held.closed, held.completed], [true, false], 'the follow-ups this pending finds keep the request for the worker');
    } finally {
      await session.release();
      await dms.drop();
    }
  });

  test('the open commits without waiting for its WAL flush; the close, and the flow after the open, still wait', async () => {
    const db = await createTestDatabase();
    const session = await db.dialect.openRunSession();
    try {
      await recordCommitModes(db.dialect.db, 'open', 'dwprclog', 'insert');
      await recordCommitModes(db.dialect.db, 'close', 'dwprclog', 'update');
      await sql`create table flow_writes (n int)`.execute(db.dialect.db);
      await recordCommitModes(db.dialect.db, 'flow', 'flow_writes', 'insert');
      await sql`insert into dwprcreq (request_id, mapref, request_type, status, claimed_by) values ('w1', 'W1', 'IMMEDIATE', 'CLAIMED', 'me')`.execute(db.dialect.db);
      const row = { sessionId: session.sessionId, mapref: 'W1', jobid: 1, jobflwid: null, prclog: 'Parameters used: none', params: [] };
      const opened = await db.dialect.openRunRow(session, row, { requestId: 'w1', claimedBy: 'me' });
      assert.ok(opened);
      const { rows } = await sql<{ s: string }>`select current_setting('synchronous_commit') as s`.execute(session.db);
      assert.equal(rows[0]!.s, 'on', 'the setting was local to the open\'s transaction');
      await sql`insert into flow_writes values (1)`.execute(session.db);
      await db.dialect.closeRunRow(session, { prcid: opened.prcid, status: 'PC', message: null, owner: null }, null);
      assert.deepEqual(await commitModes(db.dialect.db), [['close', 'on'], ['flow', 'on'], ['open', 'off']]);
    } finally {
      await session.release();
      await db.drop();
    }
  });

  test('a DO block may COMMIT by itself: the session runs in autocommit mode', async () => {
    const session = await t.dialect.openRunSession();
    try {
      await session.runBlock(`DO $$ BEGIN INSERT INTO rs_target VALUES (1); COMMIT; INSERT INTO rs_target VALUES (2); COMMIT; END $$`);
    } finally {
      await session.release();
    }
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from rs_target`.execute(t.dialect.db);
    assert.equal(rows[0]!.n, 2);
  });

  test('commit: a transaction the flow left open is committed; in autocommit nothing is sent', async () => {
    const session = await t.dialect.openRunSession();
    try {
      await sql`begin`.execute(session.db);
      await sql`insert into rs_target values (10)`.execute(session.db);
      await session.commit();
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from rs_target where n = 10`.execute(t.dialect.db);
      assert.equal(rows[0]!.n, 1, 'visible from another connection');
      const sent: unknown[] = [];
      const client = session as unknown as { client: { query: (...a: unknown[]) => unknown } };
      const query = client.client.query;
      client.client.query = (...a: unknown[]) => (sent.push(a[0]), query.apply(client.client, a));
      await session.commit();
      client.client.query = query;
      assert.deepEqual(sent, []);
    } finally {
      await session.release();
    }
  });

  test('the open tags the session dwprc:MAPREF:PRCID in pg_stat_activity, the close puts its name back; release does if no close did', async () => {
    const appName = async (pid: number) => {
      const { rows } = await sql<{ a: string }>`select application_name as a from pg_stat_activity where pid = ${pid}`.execute(t.dialect.db);
      return rows[0]?.a;
    };
    const open = async (id: string) => {
      await sql`insert into dwprcreq (request_id, mapref, request_type, status, claimed_by) values (${id}, 'CUST_DIM', 'IMMEDIATE', 'CLAIMED', 'me')`.execute(t.dialect.db);
      const session = await t.dialect.openRunSession();
      try {
        const row = { sessionId: session.sessionId, mapref: 'CUST_DIM', jobid: null, jobflwid: null, prclog: 'Parameters used: none', params: [] };
        const opened = await t.dialect.openRunRow(session, row, { requestId: id, claimedBy: 'me' });
        assert.equal(await appName(session.sessionId), `dwprc:CUST_DIM:${opened!.prcid}`);
        return { session, prcid: opened!.prcid };
      } catch (error) {
        await session.release();
        throw error;
      }
    };
    const closed = await open('tag-1');
    try {
      const { closed: done } = await t.dialect.closeRunRow(closed.session, { prcid: closed.prcid, status: 'PC', message: null, owner: null }, null);
      assert.equal(done, true);
      assert.equal(await appName(closed.session.sessionId), 'dwprc');
    } finally {
      await closed.session.release();
    }
    await sql`update dwprcreq set status = 'DONE' where request_id = 'tag-1'`.execute(t.dialect.db);

    // Reaped meanwhile: the close changes nothing, the release resets the name.
    const reaped = await open('tag-2');
    try {
      await sql`update dwprclog set status = 'FL' where prcid = ${reaped.prcid}`.execute(t.dialect.db);
      const { closed: done } = await t.dialect.closeRunRow(reaped.session, { prcid: reaped.prcid, status: 'PC', message: null, owner: null }, null);
      assert.equal(done, false);
      assert.equal(await appName(reaped.session.sessionId), `dwprc:CUST_DIM:${reaped.prcid}`);
    } finally {
      await reaped.session.release();
    }
    assert.equal(await appName(reaped.session.sessionId), 'dwprc');
  });

  test('the name is built in SQL exactly as runApplicationName builds it: a long or non-ASCII MAPREF gives way to the PRCID', async () => {
    for (const [mapref, prcid] of [['M'.repeat(100), 123456789012], ['M'.repeat(100), 7], ['CUST_DIM', 4711], ['Ümlaut_Ω', 12]] as const) {
      const { rows } = await sql<{ n: string }>`select ${runApplicationNameSql(mapref, sql`${prcid}::bigint`)} as n`.execute(t.dialect.db);
      assert.equal(rows[0]!.n, runApplicationName({ mapref, prcid }));
    }
  });

  test('a long MAPREF gives way so the PRCID stays in the 63 bytes', () => {
    const name = runApplicationName({ mapref: 'M'.repeat(100), prcid: 123456789012 });
    assert.equal(name.length, 63);
    assert.match(name, /^dwprc:M+:123456789012$/);
  });

  test('cancel interrupts the running statement from another connection', async () => {
    const session = await t.dialect.openRunSession();
    try {
      const started = Date.now();
      // Settled into a value at once: its rejection may arrive before cancel() returns.
      const running = session.runBlock(`DO $$ BEGIN PERFORM pg_sleep(60); END $$`).then(() => null, (error: unknown) => error);
      await waitFor(async () => {
        const { rows } = await sql<{ s: string }>`select state as s from pg_stat_activity where pid = ${session.sessionId}`.execute(t.dialect.db);
        return rows[0]?.s === 'active';
      });
      await session.cancel();
      assert.equal(((await running) as { code?: string } | null)?.code, '57014');
      assert.ok(Date.now() - started < 10_000);
      // The session is usable again afterwards.
      assert.equal(await t.dialect.selectValue(sql<number>`1`, session.db), 1);
    } finally {
      await session.release();
    }
  });

  test('quoteIdentifier folds to lower case and refuses anything but a plain identifier', () => {
    assert.equal(t.dialect.quoteIdentifier('Sales_Fact'), '"sales_fact"');
    assert.throws(() => t.dialect.quoteIdentifier('x"; drop table y; --'), /must be a plain identifier/);
  });
});
