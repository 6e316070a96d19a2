import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { commitModes, recordCommitModes } from '../support/commitModes.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { clearQueue, insertRequests, statuses } from '../support/requests.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function findNode(node: PlanNode, match: (n: PlanNode) => boolean): PlanNode | null {
  if (match(node)) return node;
  for (const child of node.Plans ?? []) {
    const found = findNode(child, match);
    if (found) return found;
  }
  return null;
}

describe('claiming (PostgreSQL)', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());
  beforeEach(() => clearQueue(t.dialect));

  test('claims in queue order, up to the limit, and stamps claim, lease and attempt', async () => {
    await insertRequests(t.dialect, [{ id: 'a', mapref: 'A' }, { id: 'b', mapref: 'B' }, { id: 'c', mapref: 'C' }]);
    const rows = await t.dialect.claimRequests('w1', 2, 30_000);
    assert.deepEqual(rows.map((r) => r.requestId).sort(), ['a', 'b']);
    const a = await t.dialect.db.selectFrom('dwprcreq').selectAll().where('requestId', '=', 'a').executeTakeFirstOrThrow();
    assert.equal(a.status, 'CLAIMED');
    assert.equal(a.claimedBy, 'w1');
    assert.equal(a.attempts, 1);
    const leaseLeft = a.leaseExpiresAt!.getTime() - Date.now();
    assert.ok(leaseLeft > 25_000 && leaseLeft <= 31_000, `lease ${leaseLeft} ms`);
  });

  test('the claim commits without waiting for its WAL flush; the pool\'s commits still wait', async () => {
    const db = await createTestDatabase();
    try {
      await recordCommitModes(db.dialect.db, 'claim', 'dwprcreq', 'update');
      await insertRequests(db.dialect, [{ id: 'a', mapref: 'A' }]);
      assert.equal((await db.dialect.claimRequests('w1', 1, 30_000)).length, 1);
      await sql`update dwprcreq set attempts = attempts where request_id = 'a'`.execute(db.dialect.db);
      assert.deepEqual(await commitModes(db.dialect.db), [['claim', 'off'], ['claim', 'on']]);
    } finally {
      await db.drop();
    }
  });

  test('one IMMEDIATE/HISTORY per MAPREF: the second waits while the first runs, other types do not', async () => {
    await insertRequests(t.dialect, [
      { id: 'm1', mapref: 'M' }, { id: 'm2', mapref: 'M', type: 'history' }, { id: 'stop', mapref: 'M', type: 'STOP' },
      { id: 'rep', mapref: 'M', type: 'REPORT', payload: '{"sql_code":"X"}' }, { id: 'n1', mapref: 'N' },
    ]);
    const first = await t.dialect.claimRequests('w1', 10, 30_000);
    assert.deepEqual(first.map((r) => r.requestId).sort(), ['m1', 'n1', 'rep', 'stop']);
    assert.deepEqual(await t.dialect.claimRequests('w2', 10, 30_000), [], 'M is busy: m2 stays NEW');
    await t.dialect.db.updateTable('dwprcreq').set({ status: 'DONE' }).where('requestId', '=', 'm1').execute();
    assert.deepEqual((await t.dialect.claimRequests('w2', 10, 30_000)).map((r) => r.requestId), ['m2']);
  });

  test('rows whose RUN_AFTER is in the future are not due', async () => {
    await insertRequests(t.dialect, [{ id: 'later', mapref: 'L' }, { id: 'now', mapref: 'N' }]);
    await t.dialect.db.updateTable('dwprcreq').set({ runAfter: t.dialect.utcNowPlus(60_000) }).where('requestId', '=', 'later').execute();
    assert.deepEqual((await t.dialect.claimRequests('w', 5, 30_000)).map((r) => r.requestId), ['now']);
  });

  test('concurrent claimers never get the same row and never run one MAPREF twice', async () => {
    // Padded and re-cased spellings as the UI may write them: still one MAPREF, one type.
    const spellings = [(m: string) => m, (m: string) => ` ${m}`, (m: string) => `${m}\t`, (m: string) => `\n${m} `];
    const types = ['IMMEDIATE', ' immediate', 'History\r\n', 'HISTORY '];
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: `r${i}`, mapref: spellings[i % 4]!(`M${i % 30}`), type: types[(i >> 2) % 4]! }));
    await insertRequests(t.dialect, rows);
    const claimers = Array.from({ length: 6 }, (_, i) => new PostgresDialect({ url: t.url, schema: null, tablePrefix: 'DW', poolMax: 2 }));
    try {
      const seen = new Map<string, string>();
      // Each round: all claimers race; then everything claimed is finished so the next MAPREF row can go.
      for (let round = 0; seen.size < 300; round++) {
        assert.ok(round < 100, `queue not drained after 100 rounds (${seen.size} claimed)`);
        const results = await Promise.all(
          claimers.map(async (c, i) => {
            for (;;) {
              try {
                return await c.claimRequests(`w${i}`, 4, 30_000);
              } catch (error) {
                if (c.classifyError(error) !== 'conflict') throw error;
              }
            }
          }),
        );
        const running = new Set<string>();
        results.forEach((batch, i) =>
          batch.forEach((r) => {
            assert.ok(!seen.has(r.requestId), `${r.requestId} claimed twice`);
            seen.set(r.requestId, `w${i}`);
            assert.ok(!running.has(r.mapref!), `${r.mapref} claimed twice at once`);
            running.add(r.mapref!);
          }),
        );
        await sql`update dwprcreq set status = 'DONE' where status = 'CLAIMED'`.execute(t.dialect.db);
      }
      assert.equal(seen.size, 300);
      assert.ok(Object.values(await statuses(t.dialect)).every((s) => s === 'DONE'));
    } finally {
      await Promise.all(claimers.map((c) => c.close()));
    }
  });

  test('padded spellings of a MAPREF or type are that MAPREF and type: one runs at a time, stored unpadded', async () => {
    await insertRequests(t.dialect, [
      { id: 'p1', mapref: ' PAD', type: ' immediate' },
      { id: 'p2', mapref: 'PAD\t', type: 'History\n' },
      { id: 'p3', mapref: 'PAD', type: 'IMMEDIATE' },
      { id: 'nbsp', mapref: '\u00a0PAD', type: 'IMMEDIATE' },
      { id: 'stop', mapref: ' PAD ', type: ' stop' },
    ]);
    const first = await t.dialect.claimRequests('w1', 10, 30_000);
    assert.deepEqual(
      first.map((r) => [r.requestId, r.mapref, r.requestType]).sort(),
      [['nbsp', '\u00a0PAD', 'IMMEDIATE'], ['p1', 'PAD', 'IMMEDIATE'], ['stop', ' PAD ', ' stop']],
      'a no-break space is not padding (a MAPREF of its own); a STOP is stored as written',
    );
    const stored = await t.dialect.db.selectFrom('dwprcreq').select(['mapref', 'requestType']).where('requestId', '=', 'p1').executeTakeFirstOrThrow();
    assert.deepEqual(stored, { mapref: 'PAD', requestType: 'IMMEDIATE' });
    assert.deepEqual(await t.dialect.claimRequests('w2', 10, 30_000), [], 'PAD is running: p2 and p3 wait');
  });

  // Current statistics, and the bench's drain: a new install's table analyzed while still empty,
  // then a few hundred rows run and 10,000 queued at once.
  for (const [statistics, finished, queued] of [['current', 20_000, 5_000], ['from before the burst', 400, 10_000]] as const) {
    test(`a long queue sharing one REQUESTED_AT (a bulk insert) beside finished rows, statistics ${statistics}: the claim walks the index, never sorts the queue`, async () => {
      // A fresh database for the stale case (TRUNCATE keeps the statistics of earlier tests), and
      // no autovacuum in between: the statistics are the ones this test says they are.
      const fresh = statistics === 'current' ? null : await createTestDatabase();
      const d = fresh?.dialect ?? t.dialect;
      try {
      await sql`alter table dwprcreq set (autovacuum_enabled = off)`.execute(d.db);
      if (statistics !== 'current') await sql`analyze dwprcreq`.execute(d.db);
      await sql`insert into dwprcreq (request_id, mapref, request_type, requested_at, status)
                select 'done' || g, 'D' || (g % 100), 'IMMEDIATE', timestamp '2025-01-01' + g * interval '1 minute', 'DONE' from generate_series(1, ${finished}::int) g`.execute(d.db);
      await sql`insert into dwprcreq (request_id, mapref, request_type, requested_at)
                select 'q' || lpad(g::text, 5, '0'), 'Q' || (g % 500), 'IMMEDIATE', timestamp '2026-01-01' from generate_series(1, ${queued}::int) g`.execute(d.db);
      if (statistics === 'current') await sql`analyze dwprcreq`.execute(d.db);
      const claim = d.claimStatement('w', 8, 30_000).compile(d.db);
      const explain = async (on: typeof d.db, generic: boolean) => {
        const { rows } = await on.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
          generic ? { ...claim, sql: `explain (generic_plan, format json) ${claim.sql}`, parameters: [] } : { ...claim, sql: `explain (format json) ${claim.sql}` },
        );
        return findNode(rows[0]!['QUERY PLAN'][0].Plan, (n) => n['Node Type'] === 'LockRows');
      };
      const sorts = (locking: PlanNode | null) => locking !== null && findNode(locking, (n) => /Sort/.test(n['Node Type'])) !== null;
      // The custom plan (values known) and the generic plan a prepared statement switches to after
      // five executions (PreparingClient prepares the claim like every statement): both walk the
      // index, on the claim's connection (CLAIM_SESSION_SETTINGS).
      for (const generic of [false, true]) {
        const plan = generic ? 'generic' : 'custom';
        const locking = await explain(d.claimDb, generic);
        assert.ok(locking, `${plan}: the candidates are locked`);
        assert.ok(findNode(locking, (n) => n['Index Name'] === 'dwprcreq_status'), `${plan}: ${JSON.stringify(locking)}`);
        assert.ok(!sorts(locking), `${plan}: no sort of the queue under the row locks: ${JSON.stringify(locking)}`);
      }
      // Why the claim has a connection of its own: on an ordinary one, statistics from before the
      // burst make the planner read and sort the whole queue under the row locks.
      if (statistics !== 'current') assert.ok(sorts(await explain(d.db, false)), 'premise: the default planner settings sort the queue here');
      const claimed = await d.claimRequests('w', 8, 30_000);
      assert.equal(claimed.length, 8);
      assert.ok(claimed.every((r) => r.requestId.startsWith('q')));
      await sql`alter table dwprcreq reset (autovacuum_enabled)`.execute(d.db);
      } finally {
        await fresh?.drop();
      }
    });
  }

  test('the database refuses a second running row of a MAPREF even when written by hand', async () => {
    await insertRequests(t.dialect, [{ id: 'x1', mapref: 'X' }, { id: 'x2', mapref: 'X', type: ' Immediate' }]);
    await sql`update dwprcreq set status = 'CLAIMED' where request_id = 'x1'`.execute(t.dialect.db);
    const error = await sql`update dwprcreq set status = 'CLAIMED' where request_id = 'x2'`.execute(t.dialect.db).catch((e: unknown) => e);
    assert.equal(t.dialect.classifyError(error), 'conflict');
  });
});
