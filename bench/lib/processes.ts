import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { peakRss } from './proc.js';
import type { Fleet, FleetOptions } from './system.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The dwprc the workers run: this checkout, or another built one (BENCH_DWPRC_ROOT) to compare versions. */
export const DWPRC_ROOT = process.env.BENCH_DWPRC_ROOT ? path.resolve(process.env.BENCH_DWPRC_ROOT) : ROOT;
export const DWPRC_BIN = path.join(DWPRC_ROOT, 'bin', 'dwprc');

export interface Child {
  pid: number;
  /** Everything it printed, for an error message. */
  output(): string;
  exited: Promise<number | null>;
  /** Resolves at the first IPC message `ready` (peer workers send it once they poll). */
  ready: Promise<void>;
  child: ChildProcess;
}

/** Preloaded into every worker process: statement counts (children/countQueries.mjs). */
const COUNT_QUERIES = ['--import', pathToFileURL(path.join(ROOT, 'bench', 'children', 'countQueries.mjs')).href];

/** Every child still running, so that an interrupted bench leaves none behind. */
const running = new Set<ChildProcess>();

/** SIGKILLs every child still running (the bench or soak was interrupted). */
export function killChildren(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** A node process with piped output and an IPC channel; `args` start with the script. */
export function spawnNode(args: readonly string[], env: Record<string, string>, nodeOptions: readonly string[] = []): Child {
  const child = spawn(process.execPath, [...COUNT_QUERIES, ...nodeOptions, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m) => m === 'ready' && resolve());
    void exited.then((code) => reject(new Error(`${path.basename(args[0]!)} exited (${code}) before it was ready:\n${output.slice(-2000)}`)));
  });
  ready.catch(() => undefined);
  return { pid: child.pid!, output: () => output, exited, ready, child };
}

/** A TypeScript child (run through tsx): the peer workers and the load generators. */
export function spawnTs(script: string, env: Record<string, string>): Child {
  return spawnNode([path.join(ROOT, 'bench', 'children', script)], env, ['--import', 'tsx']);
}

/**
 * A peer's worker processes (bench/children/<script>: graphile-worker, pg-boss), configured by
 * environment; resolves once each has reported ready over IPC.
 */
export async function startPeerFleet(script: string, databaseUrl: string, options: FleetOptions): Promise<Fleet> {
  const env = {
    BENCH_DATABASE_URL: databaseUrl,
    BENCH_CONCURRENCY: String(options.concurrency),
    ...(options.recordDir ? { BENCH_RECORD_DIR: options.recordDir } : {}),
  };
  const children = Array.from({ length: options.processes }, () => spawnTs(script, env));
  await Promise.all(children.map((c) => c.ready));
  return { pids: children.map((c) => c.pid), stop: () => stopChildren(children) };
}

/**
 * Reads each process's peak RSS, then stops them all with SIGTERM (SIGKILL after `graceMs`)
 * and fails if one did not exit cleanly: a crashed worker would make its figures meaningless.
 */
export async function stopChildren(children: readonly Child[], graceMs = 30_000): Promise<(number | null)[]> {
  const peaks = children.map((c) => peakRss(c.pid));
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGTERM');
  const timer = setTimeout(() => children.forEach((c) => c.child.exitCode === null && c.child.kill('SIGKILL')), graceMs);
  const codes = await Promise.all(children.map((c) => c.exited));
  clearTimeout(timer);
  const bad = codes.findIndex((code) => code !== 0);
  if (bad >= 0) throw new Error(`a worker process exited with ${codes[bad]}:\n${children[bad]!.output().slice(-3000)}`);
  return peaks;
}
