import { type ChildProcess, spawn } from 'node:child_process';
import { sql } from 'kysely';
import type { Dialect } from '../../src/db/dialects/dialect.js';
import { BIN } from './cli.js';
import { waitFor } from './waitFor.js';

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the worker logged (JSON lines), for a failing test's message. */
  output(): string;
  exited: Promise<number | null>;
  signal(signal: NodeJS.Signals): void;
}

/** A real `dwprc worker` process (the built bin) against `url`, as production runs it. */
export function spawnWorker(url: string, env: Record<string, string> = {}, args: string[] = []): WorkerProcess {
  const child = spawn(process.execPath, [BIN, 'worker', ...args], {
    env: {
      ...process.env,
      DWPRC_DATABASE_URL: url,
      DWPRC_LOG_LEVEL: process.env.TEST_WORKER_LOG ?? 'warn',
      DWPRC_TIMEZONE: 'UTC',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited, signal: (s) => child.kill(s) };
}

/** Stops every worker with SIGTERM and waits for them; SIGKILL for any still alive after `ms`. */
export async function stopWorkers(workers: readonly WorkerProcess[], ms = 15_000): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null) w.signal('SIGTERM');
  const timer = setTimeout(() => workers.forEach((w) => w.child.exitCode === null && w.signal('SIGKILL')), ms);
  await Promise.all(workers.map((w) => w.exited));
  clearTimeout(timer);
}

/**
 * Resolves once `worker` has registered in DWPRCWRK and heartbeated since: its start-up is over,
 * so it claims work and a SIGTERM reaches its handler (during start-up it would simply die).
 */
export async function serving(dialect: Dialect, worker: WorkerProcess, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) throw new Error(`worker ${worker.child.pid} exited:\n${worker.output()}`);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.table('dwprcwrk')} where pid = ${worker.child.pid} and heartbeat_at > started_at`.execute(dialect.db);
    return rows[0]!.n === 1;
  }, `worker ${worker.child.pid} to be serving`, timeoutMs);
}
