import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** [id, enqueued at, started at], as children/recorder.mjs writes them. */
export type StartRecord = [number, number, number];

/**
 * A folder the worker processes of one run write to at exit (BENCH_RECORD_DIR): task start
 * records (children/recorder.mjs) and statement counts (children/countQueries.mjs).
 */
export interface StartLog {
  dir: string;
  /** Every start record of every process that has exited. */
  read(): Promise<StartRecord[]>;
  /** Statements sent by all processes that have exited, since their last count reset. */
  queries(): Promise<number>;
  remove(): Promise<void>;
}

async function readAll<T>(dir: string, suffix: string): Promise<T[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(suffix));
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), 'utf8')) as T));
}

export async function createStartLog(): Promise<StartLog> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dwprc-bench-starts-'));
  return {
    dir,
    async read() {
      return (await readAll<StartRecord[]>(dir, '.starts.json')).flat();
    },
    async queries() {
      return (await readAll<{ queries: number }>(dir, '.queries.json')).reduce((sum, c) => sum + c.queries, 0);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
