import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertFlows, sleepingBlock } from '../support/flows.js';
import { testSeed } from '../support/random.js';
import { type FuzzCase, fuzzCases } from '../support/requestFuzz.js';
import { insertRequests } from '../support/requests.js';
import { waitFor } from '../support/waitFor.js';
import { serving, spawnWorker, stopWorkers, type WorkerProcess } from '../support/workerProcess.js';

/**
 * 1,000 DWPRCREQ rows written as the web UI writes them (plain INSERTs, no dwprc validation on
 * the way in), about a third valid in every allowed spelling, the rest garbage, drained by one
 * real worker process. The rows come from fast-check with a printed seed; DWPRC_FUZZ_SEED=<seed>
 * regenerates the same rows.
 */

const ROWS = 1000;
const WORLD = {
  flows: Array.from({ length: 8 }, (_, i) => `FUZZ_${String.fromCharCode(65 + i)}`),
  idle: 'FUZZ_IDLE',
  reportCode: 'FUZZ_RPT',
};
/** C0 controls, DEL, NEL and the Unicode line/paragraph separators: anything that breaks a line. */
const LINE_BREAKING = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;

/**
 * Whether a reason names the field at fault. "No active job flow found for <MAPREF>" is the
 * issue's own wording for an unknown MAPREF, and names it by its value.
 */
function names(message: string, field: string): boolean {
  return message.includes(field) || (field === 'MAPREF' && message.startsWith('No active job flow found for '));
}

describe('fuzz: garbage DWPRCREQ rows from the UI', () => {
  let t: TestDatabase;
  let reportDir: string;
  const workers: WorkerProcess[] = [];
  before(async () => {
    t = await createTestDatabase();
    reportDir = await mkdtemp(path.join(tmpdir(), 'dwprc-fuzz-reports-'));
  });
  after(async () => {
    await stopWorkers(workers);
    await t.drop();
    await rm(reportDir, { recursive: true, force: true });
  });

  test(`${ROWS} rows, valid and garbage: the worker stays up, valid rows DONE, each bad row FAILED with a one-line reason naming its field`, async (ctx) => {
    const seed = testSeed('DWPRC_FUZZ_SEED');
    ctx.diagnostic(`fuzz seed ${seed} (replay with DWPRC_FUZZ_SEED=${seed})`);
    console.log(`fuzz seed ${seed} (replay with DWPRC_FUZZ_SEED=${seed})`);
    const cases = fuzzCases(WORLD, ROWS, seed);
    const byId = new Map<string, FuzzCase>(cases.map((c, i) => [`z${i}`, c]));

    // Blocks that raise if two runs of one MAPREF ever execute at once (padded MAPREFs included).
    await insertFlows(t.dialect, WORLD.flows.map((mapref, i) => ({ mapref, dwlogic: sleepingBlock(mapref, 0.002, i) })));
    await t.dialect.db.insertInto('dwmaprsql').values({ dwmaprsqlid: 1, dwmaprsqlcd: WORLD.reportCode, dwmaprsql: 'select 1 as n', curflg: 'Y' }).execute();
    // Queue order as random as the rest: REQUESTED_AT anywhere in five years.
    await insertRequests(
      t.dialect,
      [...byId].map(([id, c], i) => ({ id, mapref: c.mapref, type: c.type, payload: c.payload, at: ((i * 7919) % ROWS) * 157_680 })),
    );

    const worker = spawnWorker(t.url, { DWPRC_CONCURRENCY: '4', DWPRC_POLL: '200ms', DWPRC_RETRY_BASE: '100ms', DWPRC_REPORT_DIR: reportDir });
    workers.push(worker);
    const died = () => worker.child.exitCode !== null || worker.child.signalCode !== null;
    await waitFor(async () => {
      if (died()) return true;
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from dwprcreq where status in ('NEW', 'CLAIMED')`.execute(t.dialect.db);
      return rows[0]!.n === 0;
    }, 'the queue to drain', 120_000);
    assert.ok(!died(), `the worker stayed up:\n${worker.output().slice(-5000)}`);
    await serving(t.dialect, worker);
    await stopWorkers([worker]);
    assert.equal(worker.child.exitCode, 0, `the worker stayed up and stopped cleanly:\n${worker.output().slice(-5000)}`);

    const rows = await t.dialect.db.selectFrom('dwprcreq').select(['requestId', 'status', 'resultPayload']).execute();
    assert.equal(rows.length, ROWS);
    const problems: string[] = [];
    for (const row of rows) {
      const c = byId.get(row.requestId)!;
      const message = row.resultPayload ? String((JSON.parse(row.resultPayload) as { message?: unknown }).message ?? '') : '';
      const show = () => `${row.requestId} (${c.kind}; type ${JSON.stringify(c.type)}, MAPREF ${JSON.stringify(c.mapref)}, payload ${JSON.stringify(c.payload?.slice(0, 200))}): ${row.status} ${JSON.stringify(message.slice(0, 300))}`;
      if (c.expect.status === 'DONE') {
        if (row.status !== 'DONE') problems.push(`expected DONE: ${show()}`);
        continue;
      }
      const fields = c.expect.fields;
      if (row.status !== 'FAILED') problems.push(`expected FAILED: ${show()}`);
      else if (message.trim() === '') problems.push(`empty reason: ${show()}`);
      else if (LINE_BREAKING.test(message)) problems.push(`reason not on one line: ${show()}`);
      else if (message.length > 400) problems.push(`reason of ${message.length} characters: ${show()}`);
      else if (!fields.some((f) => names(message, f))) problems.push(`reason names none of ${fields.join(', ')}: ${show()}`);
    }
    assert.deepEqual(problems, [], `${problems.length} rows went wrong (seed ${seed})`);

    const { rows: runs } = await sql<{ status: string; n: number }>`select status, count(*)::int as n from dwprclog group by status`.execute(t.dialect.db);
    assert.deepEqual(runs.filter((r) => r.status !== 'PC'), [], 'every run PC: none IP, none failed (a MAPREF twice at once would fail)');
    const kinds = new Map<string, number>();
    for (const c of cases) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    ctx.diagnostic(`${[...kinds].map(([k, n]) => `${k}: ${n}`).join('; ')}`);
  });
});
