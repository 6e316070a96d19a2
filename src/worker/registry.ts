import { hostname } from 'node:os';
import type { Dialect } from '../db/dialects/dialect.js';

/**
 * DWPRCWRK: who is alive, for `status` and `doctor`. Best effort by design: the queue's
 * correctness rests on leases, never on this table. Statements exported to pin their Oracle SQL.
 */
export function registerWorkerStatement(dialect: Dialect, workerId: string, concurrency: number, version: string) {
  return dialect.db.insertInto('dwprcwrk').values({
    workerId, host: hostname(), pid: process.pid, version, concurrency, running: 0,
    startedAt: dialect.utcNow(), heartbeatAt: dialect.utcNow(),
  });
}

export function heartbeatWorkerStatement(dialect: Dialect, workerId: string, running: number) {
  return dialect.db.updateTable('dwprcwrk').set({ heartbeatAt: dialect.utcNow(), running }).where('workerId', '=', workerId);
}

export function deregisterWorkerStatement(dialect: Dialect, workerId: string) {
  return dialect.db.deleteFrom('dwprcwrk').where('workerId', '=', workerId);
}

/** Rows of workers that stopped heartbeating long ago (killed): cleaned by any live worker. */
export function forgetDeadWorkersStatement(dialect: Dialect, olderThanMs: number) {
  return dialect.db.deleteFrom('dwprcwrk').where('heartbeatAt', '<', dialect.utcNowPlus(-olderThanMs));
}

export async function registerWorker(dialect: Dialect, workerId: string, concurrency: number, version: string): Promise<void> {
  await registerWorkerStatement(dialect, workerId, concurrency, version).execute();
}

export async function heartbeatWorker(dialect: Dialect, workerId: string, running: number): Promise<void> {
  await heartbeatWorkerStatement(dialect, workerId, running).execute();
}

export async function deregisterWorker(dialect: Dialect, workerId: string): Promise<void> {
  await deregisterWorkerStatement(dialect, workerId).execute();
}

export async function forgetDeadWorkers(dialect: Dialect, olderThanMs: number): Promise<void> {
  await forgetDeadWorkersStatement(dialect, olderThanMs).execute();
}
