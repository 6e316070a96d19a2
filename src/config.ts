import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from './errors.js';
import { type ForeignRule, parseForeignRequests } from './queue/foreignRequests.js';

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
  worker: WorkerSettings;
  scheduler: SchedulerSettings;
  /** Absolute folder REPORT requests write their files to (created when missing). */
  reportDir: string;
  /** Folder of TypeScript/JavaScript flow modules (DWPRC_FLOWS_DIR); null = DWLOGIC only. */
  flowsDir: string | null;
  /** Port of the worker's /healthz, /readyz and /metrics (DWPRC_HTTP_PORT or --http); null = off. */
  httpPort: number | null;
  /** DWPRC_CONSOLE_TOKEN: required by the web console's pages when set; null = none. A secret: never logged or shown. */
  consoleToken: string | null;
  /** URL that receives a JSON POST per alert (DWPRC_ALERT_WEBHOOK); null = no alerts. May hold a token: never log it. */
  alertWebhook: string | null;
  /** DWPRC_ORACLE_ALERTS=1: Oracle wake-ups through DBMS_ALERT besides polling (needs EXECUTE on SYS.DBMS_ALERT). */
  oracleAlerts: boolean;
  /** DWPRC_FOREIGN_REQUESTS: requests other services own; dwprc never claims or changes them. */
  foreignRequests: ForeignRule[];
  /** DWPRC_FOREIGN_WAIT: doctor warns when a foreign request has waited NEW longer than this. */
  foreignWaitMs: number;
  python: PythonSettings;
}

/** How Python job flows (DWLOGIC defining execute_job) are run: src/engine/python/. */
export interface PythonSettings {
  /** DWPRC_PYTHON: the interpreter, a path or a name on PATH. */
  interpreter: string;
  /** DWPRC_PYTHONPATH: absolute folders put first on the flow's sys.path (the tool's backend folder). */
  path: string[];
  /** DWPRC_FLOW_TIMEOUT: a Python run still going after this long is ended FL; null = no limit. */
  flowTimeoutMs: number | null;
}

export const MISFIRE_POLICIES = ['coalesce', 'skip', 'catchup'] as const;
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

/** The schedule tick that every worker runs. */
export interface SchedulerSettings {
  /** How often each worker looks for due schedules (jittered). */
  tickMs: number;
  /** What to do with occurrences missed while no worker ran. */
  misfire: MisfirePolicy;
  /** `catchup` fires at most this many missed occurrences (the latest ones). */
  catchupMax: number;
  /** An occurrence later than this is a misfire; within it, it is simply on time. */
  misfireThresholdMs: number;
}

/** How a worker claims, leases and retries; every duration in milliseconds. */
export interface WorkerSettings {
  concurrency: number;
  /** Idle poll interval (jittered); LISTEN/NOTIFY wakes workers sooner. */
  pollMs: number;
  /** How long a claim stays valid without a heartbeat; renewed every lease/3. */
  leaseMs: number;
  /** On SIGTERM/SIGINT, how long running flows may take before they are stopped. */
  shutdownGraceMs: number;
  /** Attempts for a run that started and failed (1 = never retried); a payload's max_attempts wins. */
  maxAttempts: number;
  /** Claims a request may use up when no run finished: lost leases, database outages. */
  retryLimit: number;
  /** First retry delay; doubles per attempt, capped at an hour, ±25% jitter. */
  retryBaseMs: number;
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

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `5m`, `2h`, `30d`, or a plain number of milliseconds. */
export function parseDuration(field: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new UserError(`${field} must be a duration such as 500ms, 30s, 5m, 2h or 30d, got "${raw}"`);
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!);
}

/** A TCP port to listen on, 1–65535. */
export function parsePort(field: string, raw: string): number {
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 65_535) throw new UserError(`${field} must be a port number from 1 to 65535, got "${raw}"`);
  return n;
}

/** An http(s) URL; the value is not echoed in the error because webhook URLs often carry a token. */
export function parseWebhookUrl(field: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UserError(`${field} must be an http:// or https:// URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`${field} must be an http:// or https:// URL, got a ${url.protocol}// URL`);
  return url.toString();
}

/** An on/off setting: 1/0 (also true/false, yes/no); unset is off. */
export function parseSwitch(field: string, raw: string | undefined): boolean {
  const value = raw?.trim().toLowerCase() ?? '';
  if (['', '0', 'false', 'no', 'off'].includes(value)) return false;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  throw new UserError(`${field} must be 1 (on) or 0 (off), got "${raw}"`);
}

function duration(field: string, raw: string | undefined, fallback: number): number {
  return raw === undefined || raw === '' ? fallback : parseDuration(field, raw);
}

export function loadWorkerSettings(env: Env): WorkerSettings {
  const settings = {
    concurrency: positiveInt('DWPRC_CONCURRENCY', env.DWPRC_CONCURRENCY, 4),
    pollMs: duration('DWPRC_POLL', env.DWPRC_POLL, 1000),
    leaseMs: duration('DWPRC_LEASE', env.DWPRC_LEASE, 30_000),
    shutdownGraceMs: duration('DWPRC_SHUTDOWN_GRACE', env.DWPRC_SHUTDOWN_GRACE, 30_000),
    maxAttempts: positiveInt('DWPRC_MAX_ATTEMPTS', env.DWPRC_MAX_ATTEMPTS, 1),
    retryLimit: positiveInt('DWPRC_RETRY_LIMIT', env.DWPRC_RETRY_LIMIT, 5),
    retryBaseMs: duration('DWPRC_RETRY_BASE', env.DWPRC_RETRY_BASE, 5000),
  };
  if (settings.leaseMs < 300) throw new UserError(`DWPRC_LEASE must be at least 300ms, got "${env.DWPRC_LEASE}"`);
  return settings;
}

export function loadSchedulerSettings(env: Env): SchedulerSettings {
  const misfire = (env.DWPRC_MISFIRE?.trim().toLowerCase() || 'coalesce') as MisfirePolicy;
  if (!MISFIRE_POLICIES.includes(misfire)) {
    throw new UserError(`DWPRC_MISFIRE must be one of ${MISFIRE_POLICIES.join(', ')}, got "${env.DWPRC_MISFIRE}"`);
  }
  return {
    tickMs: duration('DWPRC_TICK', env.DWPRC_TICK, 1000),
    misfire,
    catchupMax: positiveInt('DWPRC_CATCHUP_MAX', env.DWPRC_CATCHUP_MAX, 10),
    misfireThresholdMs: duration('DWPRC_MISFIRE_THRESHOLD', env.DWPRC_MISFIRE_THRESHOLD, 60_000),
  };
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
    worker: loadWorkerSettings(env),
    scheduler: loadSchedulerSettings(env),
    reportDir: path.resolve(cwd, env.DWPRC_REPORT_DIR?.trim() || 'reports'),
    flowsDir: env.DWPRC_FLOWS_DIR?.trim() ? path.resolve(cwd, env.DWPRC_FLOWS_DIR.trim()) : null,
    httpPort: env.DWPRC_HTTP_PORT?.trim() ? parsePort('DWPRC_HTTP_PORT', env.DWPRC_HTTP_PORT) : null,
    consoleToken: env.DWPRC_CONSOLE_TOKEN?.trim() || null,
    alertWebhook: env.DWPRC_ALERT_WEBHOOK?.trim() ? parseWebhookUrl('DWPRC_ALERT_WEBHOOK', env.DWPRC_ALERT_WEBHOOK) : null,
    oracleAlerts: parseSwitch('DWPRC_ORACLE_ALERTS', env.DWPRC_ORACLE_ALERTS),
    foreignRequests: parseForeignRequests('DWPRC_FOREIGN_REQUESTS', env.DWPRC_FOREIGN_REQUESTS),
    foreignWaitMs: duration('DWPRC_FOREIGN_WAIT', env.DWPRC_FOREIGN_WAIT, 3_600_000),
    python: loadPythonSettings(env, cwd),
  };
}

export function loadPythonSettings(env: Env, cwd = process.cwd()): PythonSettings {
  const timeout = env.DWPRC_FLOW_TIMEOUT?.trim();
  const flowTimeoutMs = timeout ? parseDuration('DWPRC_FLOW_TIMEOUT', timeout) : null;
  if (flowTimeoutMs === 0) throw new UserError(`DWPRC_FLOW_TIMEOUT must be longer than 0, got "${timeout}" (leave it unset for no limit)`);
  return {
    interpreter: env.DWPRC_PYTHON?.trim() || 'python3',
    path: (env.DWPRC_PYTHONPATH ?? '').split(path.delimiter).map((p) => p.trim()).filter((p) => p !== '').map((p) => path.resolve(cwd, p)),
    flowTimeoutMs,
  };
}
