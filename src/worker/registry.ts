import { hostname } from 'node:os';
import type { Dialect } from '../db/dialects/dialect.js';

/**
 * DWPRCWRK: who is alive, for `status` and `doctor`. Best effort by design: the queue's
 * correctness rests on leases, never on this table.
 */
export async function registerWorker(dialect: Dialect, workerId: string, concurrency: number, version: string): Promise<void> {
  await dialect.db
    .insertInto('dwprcwrk')
    .values({
      workerId, host: hostname(), pid: process.pid, version, concurrency, running: 0,
      startedAt: dialect.utcNow(), heartbeatAt: dialect.utcNow(),
    })
    .execute();
}

export async function heartbeatWorker(dialect: Dialect, workerId: string, running: number): Promise<void> {
  await dialect.db.updateTable('dwprcwrk').set({ heartbeatAt: dialect.utcNow(), running }).where('workerId', '=', workerId).execute();
}

export async function deregisterWorker(dialect: Dialect, workerId: string): Promise<void> {
  await dialect.db.deleteFrom('dwprcwrk').where('workerId', '=', workerId).execute();
}

/** Rows of workers that stopped heartbeating long ago (killed): cleaned by any live worker. */
export async function forgetDeadWorkers(dialect: Dialect, olderThanMs: number): Promise<void> {
  await dialect.db.deleteFrom('dwprcwrk').where('heartbeatAt', '<', dialect.utcNowPlus(-olderThanMs)).execute();
}
