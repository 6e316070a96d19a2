import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli } from '../support/cli.js';

describe('dwprc CLI basics', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ migrate: false });
  });
  after(() => t.drop());

  test('--help lists the command groups', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    for (const group of ['db', 'doctor']) assert.match(r.stdout, new RegExp(`^\\s+${group}\\b`, 'm'));
  });

  test('an unknown command is a usage error: exit 2', async () => {
    const r = await runCli(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
  });

  test('doctor on an unmigrated database reports the problem and exits 1', async () => {
    const r = await runCli(['doctor', '--json'], { DWPRC_DATABASE_URL: t.url });
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.healthy, false);
    assert.equal(report.checks.find((c: { name: string }) => c.name === 'schema version').status, 'fail');
  });

  test('db migrate, then doctor --json reports a healthy schema', async () => {
    const m = await runCli(['db', 'migrate', '--json'], { DWPRC_DATABASE_URL: t.url });
    assert.equal(m.code, 0, m.stderr);
    assert.ok(JSON.parse(m.stdout).applied.length >= 1);
    const again = await runCli(['db', 'migrate'], { DWPRC_DATABASE_URL: t.url });
    assert.match(again.stdout, /schema is current/);
    const r = await runCli(['doctor', '--json'], { DWPRC_DATABASE_URL: t.url });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.healthy, true);
    assert.equal(report.dialect, 'postgres');
    assert.match(report.serverVersion, /^PostgreSQL \d+/);
  });

  test('a database that cannot be reached: one line on stderr, exit 1, password not shown', async () => {
    const r = await runCli(['doctor'], { DWPRC_DATABASE_URL: 'postgres://u:topsecret@127.0.0.1:1/x' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^dwprc: /);
    assert.doesNotMatch(r.stderr + r.stdout, /topsecret/);
  });
});
