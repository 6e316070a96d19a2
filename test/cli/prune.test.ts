import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli } from '../support/cli.js';
import { insertRequests, statuses } from '../support/requests.js';

describe('dwprc prune', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await insertRequests(t.dialect, [{ id: 'old' }, { id: 'recent', mapref: 'M2' }, { id: 'queued', mapref: 'M3' }]);
    await sql`update dwprcreq set status = 'DONE', completed_at = localtimestamp - interval '40 days' where request_id = 'old'`.execute(t.dialect.db);
    await sql`update dwprcreq set status = 'FAILED', completed_at = localtimestamp - interval '1 day' where request_id = 'recent'`.execute(t.dialect.db);
    await sql`insert into dwprclog (prcid, mapref, status, enddt) values (1, 'M', 'PC', localtimestamp - interval '40 days'), (2, 'M', 'IP', null)`.execute(t.dialect.db);
    await sql`insert into dwjoblog (joblogid, prcid) values (10, 1), (20, 2)`.execute(t.dialect.db);
  });
  after(() => t.drop());

  const env = () => ({ DWPRC_DATABASE_URL: t.url });

  test('--dry-run --json counts and deletes nothing', async () => {
    const r = await runCli(['prune', '--older-than', '30d', '--dry-run', '--include-logs', '--json'], env());
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { olderThan: '30d', dryRun: true, requests: 1, runs: 1, jobLogs: 1, jobErrors: 0 });
    assert.equal(Object.keys(await statuses(t.dialect)).length, 3);
  });

  test('deletes finished requests, and run logs only with --include-logs', async () => {
    const first = await runCli(['prune', '--older-than', '30d'], env());
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'deleted 1 finished request(s) (DONE/FAILED/CANCELLED completed more than 30d ago)\n');
    assert.deepEqual(Object.keys(await statuses(t.dialect)).sort(), ['queued', 'recent']);
    const { rows: logsLeft } = await sql<{ n: number }>`select count(*)::int as n from dwprclog`.execute(t.dialect.db);
    assert.equal(logsLeft[0]!.n, 2, 'logs untouched without --include-logs');

    const second = await runCli(['prune', '--older-than', '30d', '--include-logs'], env());
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^deleted 0 finished request\(s\).*\ndeleted 1 ended run\(s\) \(DWPRCLOG PC\/FL\/ST\), 1 DWJOBLOG and 0 DWJOBERR row\(s\)\n$/);
    const { rows } = await sql<{ p: number }>`select prcid as p from dwjoblog`.execute(t.dialect.db);
    assert.deepEqual(rows.map((r) => Number(r.p)), [2]);
  });

  test('usage errors: a missing or unit-less age, a bad batch size', async () => {
    const missing = await runCli(['prune'], env());
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /required option '--older-than <duration>' not specified/);
    const bare = await runCli(['prune', '--older-than', '30'], env());
    assert.equal(bare.code, 2);
    assert.equal(bare.stderr, 'dwprc: --older-than must be a duration with a unit such as 30d or 12h, got "30"\n');
    const zero = await runCli(['prune', '--older-than', '0d'], env());
    assert.equal(zero.stderr, 'dwprc: --older-than must be more than 0, got "0d"\n');
    const batch = await runCli(['prune', '--older-than', '1d', '--batch-size', '5000'], env());
    assert.equal(batch.code, 2);
    assert.equal(batch.stderr, 'dwprc: --batch-size must be a whole number from 1 to 1000, got "5000"\n');
  });
});
