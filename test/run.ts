/**
 * `npm test`: one embedded PostgreSQL for the whole run (or DWPRC_TEST_DATABASE_URL), then
 * node's test runner over every test file, then the server is stopped, also when tests fail.
 * Each test file makes its own database on that server (test/support/database.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openEmbeddedCluster, type EmbeddedCluster } from '../src/db/embedded.js';

process.env.TZ = 'UTC';

async function testFiles(dir: string, filter: string[]): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f))
    .filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)))
    .sort();
}

async function main(): Promise<number> {
  const files = await testFiles(path.join(import.meta.dirname, '.'), process.argv.slice(2));
  let cluster: EmbeddedCluster | null = null;
  let home: string | null = null;
  if (!process.env.DWPRC_TEST_DATABASE_URL) {
    home = await mkdtemp(path.join(tmpdir(), 'dwprc-test-'));
    cluster = await openEmbeddedCluster({ home });
    process.env.DWPRC_TEST_DATABASE_URL = cluster.url;
  }
  const stop = async () => {
    await cluster?.stop().catch(() => undefined);
    if (home) await rm(home, { recursive: true, force: true });
  };
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', ...files], {
    stdio: 'inherit',
    env: { ...process.env, TZ: 'UTC' },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  const code = await new Promise<number>((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  await stop();
  return code;
}

process.exitCode = await main();
