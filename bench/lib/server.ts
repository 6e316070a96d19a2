import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openEmbeddedCluster } from '../../src/db/embedded.js';

/**
 * The one PostgreSQL server every scenario and every system runs against: an embedded cluster
 * in a temporary folder, or DWPRC_BENCH_DATABASE_URL. Each system gets its own database on it,
 * so that one system's tables never slow another's queries.
 */
export interface BenchDatabase {
  url: string;
  /** Drops it (also closing other sessions on it), so that the next scenario starts on a quiet server. */
  drop(): Promise<void>;
}

export interface BenchServer {
  /** A fresh, empty database. */
  createDatabase(prefix: string): Promise<BenchDatabase>;
  /** The server's version string, for the results. */
  version(): Promise<string>;
  close(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * On SIGINT/SIGTERM: kill the worker processes, stop the server (an embedded one would otherwise
 * outlive the bench, detached as it is) and exit.
 */
export function closeOnSignal(server: BenchServer, killChildren: () => void): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping the workers and the database`);
      killChildren();
      void server.close().finally(() => process.exit(130));
    });
  }
}

export async function openBenchServer(): Promise<BenchServer> {
  let url = process.env.DWPRC_BENCH_DATABASE_URL;
  let stop: () => Promise<void> = async () => undefined;
  if (!url) {
    const home = await mkdtemp(path.join(tmpdir(), 'dwprc-bench-'));
    const cluster = await openEmbeddedCluster({ home });
    url = cluster.url;
    stop = async () => {
      await cluster.stop().catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    };
  }
  const serverUrl = url;
  return {
    async createDatabase(prefix) {
      const name = `${prefix}_${randomBytes(4).toString('hex')}`;
      await admin(serverUrl, (c) => c.query(`create database ${name}`));
      return {
        url: withDatabase(serverUrl, name),
        drop: () => admin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
      };
    },
    async version() {
      return admin(serverUrl, async (c) => (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v);
    },
    close: stop,
  };
}
