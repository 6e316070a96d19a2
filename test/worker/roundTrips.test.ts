import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { executeRequest } from '../../src/engine/executeRequest.js';
import { defineFlow } from '../../src/engine/flow.js';
import type { FlowRegistry } from '../../src/engine/loadFlows.js';
import { createLogger } from '../../src/observe/logger.js';
import { processRequest } from '../../src/worker/processRequest.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertRequests } from '../support/requests.js';
import { testConfig } from '../support/testConfig.js';

/**
 * The cost of one request in statements sent to the database: on a shared server every round
 * trip costs the worker CPU (a syscall each way) and the server a parse/plan/execute, so this is
 * what bounds throughput (bench/: scenario 1). A budget that grows fails here, not in production.
 */
const STATEMENTS_PER_RUN = 2;

/** Counts every statement any `pg` client of this process sends while `fn` runs. */
async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    statements.push((typeof first === 'string' ? first : (first.text ?? '?')).replace(/\s+/g, ' ').trim().slice(0, 80));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    return { result: await fn(), statements };
  } finally {
    pg.Client.prototype.query = query;
  }
}

describe('statements per request (worker slot → engine → completion)', () => {
  let t: TestDatabase;
  const flows: FlowRegistry = new Map([
    ...Array.from({ length: 4 }, (_, i) => defineFlow({ mapref: `RT_${i}`, run: (ctx) => ctx.recordCounts({ source: 1, target: 1 }) })),
    defineFlow({ mapref: 'RT_QUIET', run: () => undefined }),
    // A flow that writes a DWJOBLOG row of its own (as generated code does) besides the engine's.
    defineFlow({
      mapref: 'RT_OWN_LOG',
      run: async (ctx) => {
        await sql`insert into dwjoblog (joblogid, prcdt, mapref, srcrows, trgrows, errrows, reccrdt, prcid) values (nextval('dwjoblogseq'), localtimestamp, ${ctx.mapref}, 40, 38, 2, localtimestamp, ${ctx.prcid})`.execute(ctx.db);
        ctx.recordCounts({ source: 5, target: 4, errors: 1 });
      },
    }),
  ].map((flow) => [flow.mapref, { flow, file: 'roundTrips.test.ts' }] as const));
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());

  async function runOne(id: string, mapref: string) {
    await insertRequests(t.dialect, [{ id, mapref }]);
    const [row] = await t.dialect.claimRequests('rt:1:1', 1, 30_000);
    assert.equal(row?.requestId, id);
    const config = { ...testConfig(t.url), timeZone: 'UTC' };
    const deps = { dialect: t.dialect, config, log: createLogger({ level: 'silent', pretty: false }), workerId: 'rt:1:1', execute: executeRequest, flows };
    const control = { stop: new AbortController().signal, kill: new AbortController().signal };
    return countStatements(() => processRequest(row, control, deps));
  }

  test(`an IMMEDIATE TypeScript run with counts takes at most ${STATEMENTS_PER_RUN} statements, protocol intact`, async () => {
    // The first runs open the pool's connections; the budget is for the steady state after.
    for (let i = 0; i < 4; i++) await runOne(`warm${i}`, `RT_${i}`);
    const measured = [];
    for (let i = 0; i < 4; i++) measured.push(await runOne(`rt${i}`, `RT_${i}`));
    for (const { result, statements } of measured) {
      assert.equal(result, 'DONE');
      assert.ok(statements.length <= STATEMENTS_PER_RUN, `${statements.length} statements:\n${statements.join('\n')}`);
    }
    const { rows } = await sql<{ req: string; run: string; logs: number }>`
      select r.status as req, l.status as run, (select count(*)::int from dwjoblog j where j.prcid = l.prcid) as logs
        from dwprcreq r join dwprclog l on l.prcid = r.prcid where r.request_id like 'rt%'`.execute(t.dialect.db);
    assert.deepEqual(rows, Array.from({ length: 4 }, () => ({ req: 'DONE', run: 'PC', logs: 1 })));
  });
  test('a request completed by its run\'s close holds the RESULT_PAYLOAD the worker writes, counts summed over every DWJOBLOG row', async () => {
    const cases = [
      { id: 'pay1', mapref: 'RT_0', counts: { source: 1, target: 1, errors: 0 } },
      { id: 'pay2', mapref: 'RT_QUIET', counts: null },
      { id: 'pay3', mapref: 'RT_OWN_LOG', counts: { source: 45, target: 42, errors: 3 } },
    ];
    for (const c of cases) {
      const { result, statements } = await runOne(c.id, c.mapref);
      assert.equal(result, 'DONE');
      assert.ok(!statements.some((text) => /^update "?dwprcreq"? set "?status"?/i.test(text)), `completed with the close, not after it:\n${statements.join('\n')}`);
      const row = await t.dialect.db.selectFrom('dwprcreq').select(['status', 'prcid', 'resultPayload', 'completedAt', 'leaseExpiresAt']).where('requestId', '=', c.id).executeTakeFirstOrThrow();
      const expected = { status: 'DONE', message: `${c.mapref} (PRCID ${row.prcid}) completed`, prcid: Number(row.prcid), runStatus: 'PC', ...(c.counts ? { counts: c.counts } : {}) };
      assert.equal(row.resultPayload, JSON.stringify(expected), 'the same text JSON.stringify writes');
      assert.ok(row.completedAt !== null && row.leaseExpiresAt === null);
    }
  });
});
