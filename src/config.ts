import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from './errors.js';

/** Where the database is: parsed from DWPRC_DATABASE_URL, or the embedded default. */
export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  | { kind: 'oracle'; user: string; password: string; connectString: string }
  | { kind: 'embedded'; home: string };

export interface Config {
  database: DatabaseTarget;
  /** Schema holding the DW tables; null = the connecting user's own. */
  schema: string | null;
  /** Table-name prefix: `DW` (DWPRCREQ …) or e.g. `DMS_` (DMS_PRCREQ …). */
  tablePrefix: string;
  /** Business time zone for schedule arithmetic; null = the database session's zone. */
  timeZone: string | null;
  poolMax: number;
  /** Folder of TypeScript/JavaScript flow modules (DWPRC_FLOWS_DIR); null = DWLOGIC only. */
  flowsDir: string | null;
}

type Env = Record<string, string | undefined>;

/** Oracle's non-quoted identifier rule: what may be pasted into SQL text. */
export const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_$#]{0,29}$/;

export function validIdentifier(field: string, value: string): string {
  if (!IDENTIFIER.test(value)) {
    throw new UserError(`${field} must be a plain identifier (a letter, then letters, digits, _ $ #; at most 30), got "${value}"`);
  }
  return value;
}

function positiveInt(field: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`${field} must be a whole number ≥ 1, got "${raw}"`);
  return n;
}

function readPassword(env: Env): string | undefined {
  if (env.DWPRC_DATABASE_PASSWORD) return env.DWPRC_DATABASE_PASSWORD;
  const file = env.DWPRC_DATABASE_PASSWORD_FILE;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new UserError(`DWPRC_DATABASE_PASSWORD_FILE: cannot read "${file}"`);
  }
}

/** `oracle://user[:password]@host[:port]/service` → the driver's user/password/connectString. */
function parseOracleUrl(raw: string, env: Env): DatabaseTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError('DWPRC_DATABASE_URL: expected oracle://user:password@host:port/service');
  }
  const service = url.pathname.replace(/^\//, '');
  if (!url.username || !url.hostname || !service) {
    throw new UserError('DWPRC_DATABASE_URL: expected oracle://user:password@host:port/service (user, host and service are required)');
  }
  const password = url.password ? decodeURIComponent(url.password) : readPassword(env);
  if (password === undefined) {
    throw new UserError('DWPRC_DATABASE_URL: no password (put it in the URL, DWPRC_DATABASE_PASSWORD or DWPRC_DATABASE_PASSWORD_FILE)');
  }
  return {
    kind: 'oracle',
    user: decodeURIComponent(url.username),
    password,
    connectString: `${url.hostname}:${url.port || '1521'}/${service}`,
  };
}

function parsePostgresUrl(raw: string, env: Env): DatabaseTarget {
  const password = readPassword(env);
  if (password === undefined) return { kind: 'postgres', url: raw };
  const url = new URL(raw);
  if (!url.password) url.password = encodeURIComponent(password);
  return { kind: 'postgres', url: url.toString() };
}

export function parseDatabaseTarget(env: Env, cwd = process.cwd()): DatabaseTarget {
  const raw = env.DWPRC_DATABASE_URL?.trim();
  if (!raw) return { kind: 'embedded', home: path.resolve(cwd, env.DWPRC_HOME ?? '.dwprc') };
  if (/^oracle:\/\//i.test(raw)) return parseOracleUrl(raw, env);
  if (/^postgres(ql)?:\/\//i.test(raw)) return parsePostgresUrl(raw, env);
  throw new UserError('DWPRC_DATABASE_URL must start with postgres://, postgresql:// or oracle://');
}

export function validTimeZone(field: string, zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw new UserError(`${field} must be an IANA time zone such as Europe/London or UTC, got "${zone}"`);
  }
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const schema = env.DWPRC_SCHEMA?.trim() ? validIdentifier('DWPRC_SCHEMA', env.DWPRC_SCHEMA.trim()) : null;
  const tablePrefix = validIdentifier('DWPRC_TABLE_PREFIX', env.DWPRC_TABLE_PREFIX?.trim() || 'DW');
  const timeZone = env.DWPRC_TIMEZONE?.trim() ? validTimeZone('DWPRC_TIMEZONE', env.DWPRC_TIMEZONE.trim()) : null;
  return {
    database: parseDatabaseTarget(env, cwd),
    schema,
    tablePrefix,
    timeZone,
    poolMax: positiveInt('DWPRC_POOL_MAX', env.DWPRC_POOL_MAX, 10),
    flowsDir: env.DWPRC_FLOWS_DIR?.trim() ? path.resolve(cwd, env.DWPRC_FLOWS_DIR.trim()) : null,
  };
}
