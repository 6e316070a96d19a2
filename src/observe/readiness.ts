import type { Dialect } from '../db/dialects/dialect.js';
import { schemaVersion } from '../db/migrate.js';
import { errorMessage } from '../errors.js';
import { scrubSecrets } from './logger.js';
import { withTimeout } from './withTimeout.js';

export interface Readiness {
  ready: boolean;
  /** Why not: one line for the operator. */
  reason?: string;
}

export type ReadinessCheck = () => Promise<Readiness>;

export interface ReadinessOptions {
  dialect: Dialect;
  tablePrefix: string;
  /** Each probe of the database gives up after this long. */
  timeoutMs?: number;
  /** The schema version changes only with `db migrate`: read it at most this often. */
  schemaTtlMs?: number;
}

const oneLine = (error: unknown) => scrubSecrets(errorMessage(error)).split('\n')[0]!;

/**
 * /readyz: the database answers a trivial query within the timeout, and its schema is at least
 * the version this build expects. Concurrent probes share one ping; a schema verdict is kept
 * for `schemaTtlMs` once the version table could be read.
 */
export function createReadinessCheck(options: ReadinessOptions): ReadinessCheck {
  const { dialect, tablePrefix } = options;
  const timeoutMs = options.timeoutMs ?? 2000;
  const ttlMs = options.schemaTtlMs ?? 10_000;
  let ping: Promise<void> | null = null;
  let schema: { at: number; problem: Promise<string | null> } | null = null;

  const readSchema = async (): Promise<string | null> => {
    const { applied, expected } = await schemaVersion(dialect, tablePrefix);
    if (applied === null) throw new Error(`schema not migrated (this dwprc expects version ${expected}): run dwprc db migrate`);
    return applied < expected ? `schema version ${applied}, this dwprc expects ${expected}: run dwprc db migrate` : null;
  };

  return async () => {
    ping ??= dialect.ping().finally(() => {
      ping = null;
    });
    try {
      await withTimeout(ping, timeoutMs, 'database ping');
    } catch (error) {
      return { ready: false, reason: `database unreachable: ${oneLine(error)}` };
    }
    if (!schema || Date.now() - schema.at > ttlMs) {
      const entry = { at: Date.now(), problem: readSchema() };
      schema = entry;
      // An unreadable version table is not cached: it may be a passing error as much as a missing table.
      entry.problem.catch(() => {
        if (schema === entry) schema = null;
      });
    }
    try {
      const problem = await withTimeout(schema.problem, timeoutMs, 'schema version check');
      return problem ? { ready: false, reason: problem } : { ready: true };
    } catch (error) {
      return { ready: false, reason: oneLine(error) };
    }
  };
}
