import { type ChildProcess, spawn } from 'node:child_process';
import { BIN } from './cli.js';

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
