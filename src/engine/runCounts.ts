import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface RunCountsTotal {
  source: number;
  target: number;
  errors: number;
}

/** Oracle allows at most 1000 values in an IN list. */
const CHUNK = 500;

/** The DWJOBLOG counts of the given runs, summed; null when they wrote none. */
export async function runCounts(db: Kysely<Database>, prcids: readonly number[]): Promise<RunCountsTotal | null> {
  let total: RunCountsTotal | null = null;
  for (let i = 0; i < prcids.length; i += CHUNK) {
    const part = await chunkCounts(db, prcids.slice(i, i + CHUNK));
    if (part) total = total ? { source: total.source + part.source, target: total.target + part.target, errors: total.errors + part.errors } : part;
  }
  return total;
}

/** One chunk's sums (exported to pin its Oracle SQL); `prcids` holds 1 to CHUNK ids. */
export function runCountsQuery(db: Kysely<Database>, prcids: readonly number[]) {
  return db
    .selectFrom('dwjoblog')
    .select((eb) => [
      eb.fn.countAll<number>().as('logs'),
      eb.fn.sum<number>('srcrows').as('source'),
      eb.fn.sum<number>('trgrows').as('target'),
      eb.fn.sum<number>('errrows').as('errors'),
    ])
    .where('prcid', 'in', [...prcids]);
}

async function chunkCounts(db: Kysely<Database>, prcids: readonly number[]): Promise<RunCountsTotal | null> {
  const row = await runCountsQuery(db, prcids).executeTakeFirstOrThrow();
  if (Number(row.logs) === 0) return null;
  return { source: Number(row.source ?? 0), target: Number(row.target ?? 0), errors: Number(row.errors ?? 0) };
}
