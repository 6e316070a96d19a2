import pg from 'pg';
import { cpuMs } from './proc.js';

/** CPU used by a set of processes between `start()` and `stop()`: worker processes and their database backends. */
export interface CpuMeter {
  /** ms of CPU used since start by the worker processes and by the server backends of the database (null: server not on this machine). */
  stop(): Promise<{ workersMs: number; databaseMs: number | null }>;
}

async function backendPids(client: pg.Client): Promise<number[]> {
  const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
  return rows.map((r) => r.pid);
}

const sum = (pids: readonly number[], before: ReadonlyMap<number, number>) =>
  pids.reduce((total, pid) => total + Math.max(0, (cpuMs(pid) ?? before.get(pid) ?? 0) - (before.get(pid) ?? 0)), 0);

/**
 * Starts metering `workerPids` and every backend connected to the database of `url` (the
 * server must run on this machine). A backend that connects later counts from zero.
 */
export async function startCpuMeter(url: string, workerPids: readonly number[]): Promise<CpuMeter> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench:cpu' });
  // A server stopped under it (an interrupted bench) ends the meter, not the process.
  client.on('error', () => undefined);
  await client.connect();
  const snapshot = (pids: readonly number[]) => new Map(pids.map((pid) => [pid, cpuMs(pid) ?? 0]));
  const workersBefore = snapshot(workerPids);
  const backendsBefore = snapshot(await backendPids(client));
  return {
    async stop() {
      const backends = await backendPids(client);
      await client.end();
      const local = backends.some((pid) => cpuMs(pid) !== null);
      return { workersMs: sum(workerPids, workersBefore), databaseMs: local ? sum(backends, backendsBefore) : null };
    },
  };
}
